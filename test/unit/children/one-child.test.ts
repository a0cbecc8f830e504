import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentifierKind } from '../../../shared/children/child-identifiers';
import type { CouncilConfig } from '../../../shared/council/council-schema';
import type { ChildDetails, PipelineEvent } from '../../../shared/events/event-schemas';
import { councils } from '../../support/councils';
import { parsedEvent, reportData } from '../../support/events';
import { nhsNumberFor, upnFor } from '../../support/identifiers';
import { intakeAndNotify } from '../../support/intake-and-notify';

/**
 * Properties of the registry through intake and notify together (in memory): what a council sees whatever
 * order reports arrive in, from whichever systems, however often redelivered.
 */

const kinds: IdentifierKind[] = ['nhs', 'upn', 'local', 'person'];

/** A child as each system may write them: the same identifiers, in the forms the wire accepts. */
interface TrueChild {
  n: number;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
}
const childNumbered = (n: number): TrueChild => ({
  n,
  givenName: ['Zoë', 'Amir', 'Chloe-Ann'][n % 3] as string,
  familyName: `O'Brien-${['Smith', 'Patel', 'Nowak', 'Ali'][n % 4]}${n}`,
  dateOfBirth: `201${n % 7}-0${1 + (n % 9)}-1${n % 10}`,
});

/** How one report writes the child: the identifiers it carries, and the case and spacing it uses. */
interface Written {
  kinds: IdentifierKind[];
  shouty: boolean;
}
const writtenArb: fc.Arbitrary<Written> = fc.record({
  kinds: fc.subarray(kinds, { minLength: 1 }),
  shouty: fc.boolean(),
});

/**
 * The child's details as one report gives them. Without `person`, the report names the child another way
 * (a nickname, a typo) that matches no other report's name: it can find the child only by the rest.
 */
const detailsOf = (child: TrueChild, written: Written, report: number): ChildDetails => {
  const has = (kind: IdentifierKind) => written.kinds.includes(kind);
  const nhs = nhsNumberFor(child.n);
  const upn = upnFor(child.n);
  const identifiers = {
    ...(has('nhs')
      ? { nhsNumber: written.shouty ? `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}` : nhs }
      : {}),
    ...(has('upn') ? { upn: written.shouty ? upn : upn.toLowerCase() } : {}),
    ...(has('local') ? { localId: `LBTH-${child.n}` } : {}),
  };
  const givenName = has('person')
    ? child.givenName
    : `${child.givenName}-nick${String.fromCharCode(97 + report)}`;
  return {
    givenName: written.shouty ? givenName.toUpperCase() : givenName,
    familyName: written.shouty ? child.familyName.toUpperCase().replace("'", '') : child.familyName,
    dateOfBirth: child.dateOfBirth,
    lookedAfter: false,
    ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}),
  };
};

/** The police's system or the schools': each council's file names its police source. */
const sources = ['police', 'schools'] as const;
type Sender = (typeof sources)[number];
const sourceIdOf = (council: CouncilConfig, sender: Sender): string =>
  sender === 'schools'
    ? 'schools'
    : (Object.keys(council.sources).find((id) => council.sources[id]?.agency === council.roles.police) ?? '');

const reportOf = (
  council: CouncilConfig,
  child: TrueChild,
  written: Written,
  i: number,
  options: { prefix: string; source: Sender; absence: boolean },
): { sourceId: string; event: PipelineEvent } => ({
  sourceId: sourceIdOf(council, options.source),
  event: parsedEvent(
    options.absence ? 'absence.reported' : 'missing.reported',
    reportData(`${options.prefix}-${i}`, {
      child: detailsOf(child, written, i),
      reportedBy: options.source === 'schools' ? 'school' : 'police',
    }),
    { id: `${options.prefix}-${i}-event`, time: `2026-10-22T${String(10 + i).padStart(2, '0')}:00:00Z` },
  ),
});

/** Each delivery once or twice (a sender retrying), in the order given. */
const deliverAll = async (
  pipeline: ReturnType<typeof intakeAndNotify>,
  deliveries: { sourceId: string; event: PipelineEvent }[],
  order: number[],
  twice: boolean[],
) => {
  const accepted: Record<string, string> = {};
  for (const i of order) {
    const delivery = deliveries[i];
    if (!delivery) continue;
    for (let n = 0; n < (twice[i] ? 2 : 1); n++) {
      accepted[delivery.event.id] = (await pipeline.deliver(delivery.sourceId, delivery.event)).episodeId;
    }
  }
  return accepted;
};

const reviewsIn = (pipeline: ReturnType<typeof intakeAndNotify>) =>
  pipeline.mailer.sent.filter((email) => email.subject.includes('Possible duplicate or conflicting record'));

/** Each pair of reports shares an identifier: a name and date of birth, or a number. */
const connected = (written: Written[]) =>
  written.every((a, i) => written.every((b, j) => i === j || a.kinds.some((kind) => b.kinds.includes(kind))));

/** The reports, the order they arrive in, and which are delivered twice. */
const arrivals = <T>(items: fc.Arbitrary<T[]>) =>
  items.chain((list) =>
    fc.record({
      list: fc.constant(list),
      order: fc.shuffledSubarray(
        list.map((_, i) => i),
        { minLength: list.length, maxLength: list.length },
      ),
      twice: fc.array(fc.boolean(), { minLength: list.length, maxLength: list.length }),
    }),
  );

describe.each(councils.map((c) => [c.id, c] as const))('the child registry for %s', (_id, council) => {
  it('makes one child and one open episode of any connected reports of a child, from any systems, in any order, with duplicates', async () => {
    const reports = fc.array(
      fc.record({
        written: writtenArb,
        source: fc.constantFrom(...sources),
        absence: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat(500),
        arrivals(reports.filter((list) => connected(list.map((r) => r.written)))),
        async (n, { list, order, twice }) => {
          const child = childNumbered(n);
          const pipeline = intakeAndNotify(council);
          const deliveries = list.map((r, i) =>
            reportOf(council, child, r.written, i, { prefix: 'REF', source: r.source, absence: r.absence }),
          );
          const accepted = await deliverAll(pipeline, deliveries, order, twice);

          const episodeIds = new Set(Object.values(accepted));
          expect(episodeIds.size).toBe(1);
          const [episodeId] = [...episodeIds] as [string];
          const episode = await pipeline.store.getEpisode(episodeId);
          expect(episode?.episodeRefs).toEqual(deliveries.map((d) => d.event.data.episodeRef).sort());
          const record = await pipeline.store.getChild(episode?.childId ?? '');
          expect(record.openEpisodeId).toBe(episodeId);
          expect(record.episodes.map((e) => e.episodeId)).toEqual([episodeId]);
          await pipeline.notify();
          expect(reviewsIn(pipeline)).toEqual([]);

          // The police's found under any one of the refs ends it.
          const anyRef = deliveries[n % deliveries.length]?.event.data.episodeRef ?? '';
          const found = await pipeline.deliver(
            sourceIdOf(council, 'police'),
            parsedEvent(
              'missing.found',
              { episodeRef: anyRef, foundAt: '2026-10-23T09:00:00Z' },
              { id: 'found-event', time: '2026-10-23T09:05:00Z' },
            ),
          );
          expect(found.episodeId).toBe(episodeId);
          // Found, awaiting its interviews; an absence has none, so it closes.
          expect(found.status).toBe(list.some((r) => !r.absence) ? 'found' : 'closed');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never puts reports of two children that share no identifier together', async () => {
    const reports = fc.array(fc.record({ written: writtenArb, of: fc.constantFrom(0, 1) }), {
      minLength: 2,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(500), arrivals(reports), async (n, { list, order, twice }) => {
        const children = [childNumbered(n), childNumbered(n + 501)];
        const pipeline = intakeAndNotify(council);
        const deliveries = list.map((r, i) =>
          reportOf(council, children[r.of] as TrueChild, r.written, i, {
            prefix: `CHILD${r.of}`,
            source: 'police',
            absence: false,
          }),
        );
        const accepted = await deliverAll(pipeline, deliveries, order, twice);
        const childIds = async (of: number) =>
          new Set(
            await Promise.all(
              list.flatMap((r, i) =>
                r.of === of
                  ? [
                      pipeline.store
                        .getEpisode(accepted[deliveries[i]?.event.id ?? ''] ?? '')
                        .then((e) => e?.childId),
                    ]
                  : [],
              ),
            ),
          );
        const [first, second] = await Promise.all([childIds(0), childIds(1)]);
        expect([...first].filter((id) => second.has(id))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('asks the managers exactly once about a strong identifier given with two dates of birth, and merges nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(500),
        fc.constantFrom<IdentifierKind>('nhs', 'upn', 'local'),
        arrivals(fc.array(fc.constantFrom(...sources), { minLength: 2, maxLength: 4 })),
        async (n, strong, { list, order, twice }) => {
          const child = childNumbered(n);
          const pipeline = intakeAndNotify(council);
          // Every report carries the strong identifier; the first says one birthday, the others another.
          const deliveries = list.map((source, i) => {
            const born = i === 0 ? child : { ...child, dateOfBirth: '2013-12-31' };
            return reportOf(council, born, { kinds: [strong, 'person'], shouty: false }, i, {
              prefix: 'BORN',
              source,
              absence: false,
            });
          });
          const accepted = await deliverAll(pipeline, deliveries, order, twice);
          await pipeline.notify(2);
          const episodeIds = new Set(Object.values(accepted));
          expect(episodeIds.size).toBe(1);
          expect(reviewsIn(pipeline)).toHaveLength(1);

          // Only the date of birth the child was first recorded with was recorded with their name: a report
          // with the name and the other date, and nothing else, finds no child.
          const probes = await Promise.all(
            [child, { ...child, dateOfBirth: '2013-12-31' }].map((born, i) => {
              const probe = reportOf(council, born, { kinds: ['person'], shouty: false }, i, {
                prefix: 'PROBE',
                source: 'schools',
                absence: false,
              });
              return pipeline.deliver(probe.sourceId, probe.event);
            }),
          );
          expect(probes.filter((probe) => episodeIds.has(probe.episodeId))).toHaveLength(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('asks the managers exactly once about reports naming one child by NHS number and another by name and date of birth, and keeps the children apart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(500),
        fc.boolean(),
        arrivals(fc.array(fc.constantFrom(...sources), { minLength: 1, maxLength: 3 })),
        async (n, bFirst, { list, order, twice }) => {
          const [a, b] = [childNumbered(n), childNumbered(n + 501)] as [TrueChild, TrueChild];
          const pipeline = intakeAndNotify(council);
          const recordOf = (child: TrueChild, kinds: IdentifierKind[], prefix: string) =>
            reportOf(council, child, { kinds, shouty: false }, 0, {
              prefix,
              source: 'police',
              absence: false,
            });
          const records = [recordOf(a, ['nhs', 'person'], 'A'), recordOf(b, ['person'], 'B')];
          const known = await deliverAll(pipeline, records, bFirst ? [1, 0] : [0, 1], [false, false]);
          // The mixed reports: A's NHS number, B's name and date of birth.
          const mixed = list.map((source, i) => {
            const report = reportOf(council, b, { kinds: ['person'], shouty: false }, i, {
              prefix: 'MIX',
              source,
              absence: false,
            });
            const data = report.event.data as { child: ChildDetails };
            data.child = { ...data.child, identifiers: { nhsNumber: nhsNumberFor(a.n) } };
            return report;
          });
          const accepted = await deliverAll(pipeline, mixed, order, twice);
          await pipeline.notify(2);

          expect(reviewsIn(pipeline)).toHaveLength(1);
          const [episodeA, episodeB] = [known['A-0-event'], known['B-0-event']];
          const childOf = async (episodeId: string | undefined) =>
            (await pipeline.store.getEpisode(episodeId ?? ''))?.childId;
          expect(await childOf(episodeA)).not.toBe(await childOf(episodeB));
          expect(new Set(Object.values(accepted))).toEqual(new Set([episodeA]));
        },
      ),
      { numRuns: 40 },
    );
  });
});
