import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { deadlineNotices, noticeKey } from '../../shared/deadlines/deadline-notices';
import { acceptDelivery, type IntakePorts } from '../../shared/intake/accept-delivery';
import type { OutboxItem } from '../../shared/ports';
import { newSecret, signedRequest } from '../functions/intake/signed-request';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { reportData, wireEvent } from '../support/events';
import { upnFor } from '../support/identifiers';
import { testPseudonymKey } from '../support/pseudonym-key';

const tables = useDynamoDbLocal();

const CONCURRENT = 8;

let ports: IntakePorts;
let store: DynamoIntakeStore;
let tableName: string;
const secret = newSecret();

/** The outbox items in the table: what the stream hands the dispatcher. */
const outbox = async (): Promise<OutboxItem[]> => {
  const { Items = [] } = await tables
    .doc()
    .send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return Items.filter((item) => String(item.pk).startsWith('OUTBOX#')).map((item) => item.item as OutboxItem);
};

/** One delivery as the intake handler passes it to the use case. */
const deliver = (body: { id: string }, sourceId = 'met-police') => {
  const request = signedRequest(sourceId, body, { secret });
  return acceptDelivery(ports, {
    method: 'POST',
    sourceId,
    body: Buffer.from(request.body ?? ''),
    headers: request.headers,
  });
};

const episodeIdOf = (outcome: Awaited<ReturnType<typeof deliver>>) => {
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.detail}`);
  return outcome.accepted.episodeId;
};

beforeEach(async () => {
  tableName = await tables.createTable();
  store = new DynamoIntakeStore(tables.doc(), tableName);
  ports = {
    store,
    secrets: { secretsFor: async () => [secret] },
    pseudonymKey: testPseudonymKey,
    clock: { now: () => '2026-10-24T10:00:00.000Z' },
    council: towerHamlets,
  };
});

describe('intake on DynamoDB Local', () => {
  it(`stores every one of ${CONCURRENT} concurrent deliveries for one episode: no lost update`, async () => {
    const report = wireEvent('missing.reported', reportData('MPS-1'), {
      id: 'evt-report',
      time: '2026-10-22T19:00:00+01:00',
    });
    const episodeId = episodeIdOf(await deliver(report));
    const assessments = Array.from({ length: CONCURRENT }, (_, i) =>
      wireEvent(
        'missing.risk_assessed',
        { episodeRef: 'MPS-1', riskGrade: i % 2 ? 'high' : 'medium' },
        { id: `evt-risk-${i}`, time: `2026-10-22T20:${String(i).padStart(2, '0')}:00+01:00` },
      ),
    );

    const outcomes = await Promise.all(assessments.map((event) => deliver(event)));

    expect(outcomes.map(episodeIdOf)).toEqual(assessments.map(() => episodeId));
    const episode = await store.getEpisode(episodeId);
    expect(episode?.version).toBe(CONCURRENT + 1);
    expect(episode?.events.map((e) => e.event.id).sort()).toEqual(
      ['evt-report', ...assessments.map((e) => e.id)].sort(),
    );
    // The fold saw every assessment: the latest (by time) decides the grade.
    expect(episode?.state.riskHistory).toHaveLength(CONCURRENT);
    expect(episode?.state.riskGrade).toBe('high');
    // One routing message in the outbox per event, committed with it.
    const routed = (await outbox()).flatMap((item) =>
      item.kind === 'routing' ? [item.message.eventId] : [],
    );
    expect(routed.sort()).toEqual(['evt-report', ...assessments.map((e) => e.id)].sort());
  });

  it('keeps one open episode when several reports of the same missing child race', async () => {
    const reports = Array.from({ length: 6 }, (_, i) =>
      wireEvent('missing.reported', reportData(`REF-${i}`), {
        id: `evt-report-${i}`,
        time: '2026-10-22T19:00:00+01:00',
      }),
    );

    const outcomes = await Promise.all(
      reports.map((event, i) => deliver(event, i % 2 ? 'schools' : 'met-police')),
    );

    const episodeIds = new Set(outcomes.map(episodeIdOf));
    expect(episodeIds.size).toBe(1);
    const [episodeId] = [...episodeIds] as [string];
    const episode = await store.getEpisode(episodeId);
    expect(episode?.episodeRefs).toEqual(reports.map((r) => r.data.episodeRef).sort());
    expect((await store.getChild(episode?.childId ?? '')).openEpisodeId).toBe(episodeId);
    for (const report of reports) {
      const { refEpisodeId } = await store.lookUpDelivery({
        sourceId: 'met-police',
        eventId: report.id,
        episodeRef: report.data.episodeRef,
      });
      expect(refEpisodeId).toBe(episodeId);
    }
  });

  it('makes one child of first reports racing through overlapping identifiers: the school with the UPN, the police without', async () => {
    for (let round = 0; round < 4; round++) {
      const child = { givenName: `Overlap${round}`, familyName: 'Race', dateOfBirth: '2012-03-04' };
      const school = wireEvent(
        'missing.reported',
        reportData(`SCH-RACE-${round}`, {
          child: { ...child, identifiers: { upn: upnFor(round) } },
          reportedBy: 'school',
        }),
        { id: `school-${round}`, time: '2026-10-22T19:00:00+01:00' },
      );
      const police = wireEvent(
        'missing.reported',
        reportData(`MPS-RACE-${round}`, { child, reportedBy: 'police' }),
        {
          id: `police-${round}`,
          time: '2026-10-22T19:30:00+01:00',
        },
      );

      const outcomes = await Promise.all([deliver(school, 'schools'), deliver(police)]);

      const [episodeId, other] = outcomes.map(episodeIdOf);
      expect(other, `round ${round}`).toBe(episodeId);
      const episode = await store.getEpisode(episodeId ?? '');
      expect(episode?.episodeRefs).toEqual([`MPS-RACE-${round}`, `SCH-RACE-${round}`]);
      const registered = await store.getChild(episode?.childId ?? '');
      expect(registered.openEpisodeId).toBe(episodeId);
      expect(registered.episodes).toHaveLength(1);
      expect(Object.keys(registered.identity ?? {}).sort()).toEqual(['born', 'person', 'upn']);
    }
  });

  it("keeps the open pointer on the child's new episode when the found one closes at the same moment", async () => {
    const children = ['A', 'B', 'C', 'D'];
    const child = (name: string, lastSeenAt: string) => ({
      child: { givenName: name, familyName: 'Race', dateOfBirth: '2012-03-04' },
      lastSeenAt,
    });
    const first = (name: string) => `RACE-${name}-1`;
    for (const name of children) {
      for (const event of [
        wireEvent('missing.reported', reportData(first(name), child(name, '2026-10-20T18:00:00+01:00')), {
          id: `${name}-1`,
          time: '2026-10-20T19:00:00+01:00',
        }),
        wireEvent(
          'missing.found',
          { episodeRef: first(name), foundAt: '2026-10-21T09:30:00+01:00' },
          { id: `${name}-2`, time: '2026-10-21T09:31:00+01:00' },
        ),
        wireEvent(
          'prevention_interview.completed',
          { episodeRef: first(name), completedAt: '2026-10-21T15:00:00+01:00' },
          { id: `${name}-3`, time: '2026-10-21T15:05:00+01:00' },
        ),
      ])
        episodeIdOf(await deliver(event));
    }
    // Each child: the RHI that closes the first episode, and a report of them missing again, at once.
    const raced = await Promise.all(
      children.flatMap((name) => [
        deliver(
          wireEvent(
            'rhi.completed',
            {
              episodeRef: first(name),
              completedAt: '2026-10-22T11:00:00Z',
              setting: 'neutral',
              concerns: { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false },
            },
            { id: `${name}-4`, time: '2026-10-22T11:30:00Z' },
          ),
        ),
        deliver(
          wireEvent(
            'missing.reported',
            reportData(`RACE-${name}-2`, child(name, '2026-10-23T18:00:00+01:00')),
            {
              id: `${name}-5`,
              time: '2026-10-23T19:00:00+01:00',
            },
          ),
        ),
      ]),
    );
    for (const [i, name] of children.entries()) {
      const closed = await store.getEpisode(episodeIdOf(raced[2 * i] as Awaited<ReturnType<typeof deliver>>));
      const next = await store.getEpisode(
        episodeIdOf(raced[2 * i + 1] as Awaited<ReturnType<typeof deliver>>),
      );
      expect(closed?.state.status, name).toBe('closed');
      expect(next?.state.status, name).toBe('missing');
      // Linked to the first episode when the report was read before the close; either way the new one is open.
      expect([closed?.episodeId, undefined], name).toContain(next?.previousEpisodeId);
      expect((await store.getChild(next?.childId ?? '')).openEpisodeId, name).toBe(next?.episodeId);
    }
  });

  it('answers a delivery raced by its own redelivery once as new and once as a duplicate', async () => {
    const report = wireEvent('missing.reported', reportData('MPS-1'), {
      id: 'evt-report',
      time: '2026-10-22T19:00:00+01:00',
    });
    const outcomes = await Promise.all([deliver(report), deliver(report), deliver(report)]);
    const accepted = outcomes.map((o) => (o.ok ? o.accepted : undefined));
    expect(accepted.filter((a) => a?.duplicate === false)).toHaveLength(1);
    expect(accepted.filter((a) => a?.duplicate === true)).toHaveLength(2);
    expect(new Set(accepted.map((a) => a?.episodeId)).size).toBe(1);
    const episode = await store.getEpisode(accepted[0]?.episodeId ?? '');
    expect(episode?.events).toHaveLength(1);
    // One commit's outbox items: its routing message, and the notices the one stored report opens, once.
    const items = await outbox();
    expect(items.map((item) => item.kind).sort()).toEqual(['deadlines', 'routing']);
    const scheduled = items.flatMap((item) => (item.kind === 'deadlines' ? item.schedule : []));
    expect(scheduled.map(noticeKey).sort()).toEqual(
      deadlineNotices(episode!.state, towerHamlets).map(noticeKey).sort(),
    );
  });
});
