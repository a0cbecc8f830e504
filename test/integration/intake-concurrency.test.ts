import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoEpisodeStore } from '../../shared/adapters/dynamo-episode-store';
import { type DeadlineNotice, deadlineNotices, noticeKey } from '../../shared/deadlines/deadline-notices';
import { acceptDelivery, type IntakePorts } from '../../shared/intake/accept-delivery';
import type { RoutingMessage } from '../../shared/ports';
import { newSecret, signedRequest } from '../functions/intake/signed-request';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { reportData, wireEvent } from '../support/events';

const tables = useDynamoDbLocal();

const CONCURRENT = 8;

let ports: IntakePorts;
let store: DynamoEpisodeStore;
let queued: RoutingMessage[];
let scheduled: DeadlineNotice[];
const secret = newSecret();

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
  store = new DynamoEpisodeStore(tables.doc(), await tables.createTable());
  queued = [];
  scheduled = [];
  ports = {
    store,
    queue: { send: async (messages) => void queued.push(...messages) },
    scheduler: { schedule: async (_id, notice) => void scheduled.push(notice), cancel: async () => {} },
    secrets: { secretsFor: async () => [secret] },
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
    expect(queued).toHaveLength(CONCURRENT + 1);
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
    expect(await store.findOpenEpisodeId(episode?.childId ?? '')).toBe(episodeId);
    for (const report of reports)
      expect(await store.findEpisodeIdByRef(report.data.episodeRef)).toBe(episodeId);
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
    // Only the notices the one stored report calls for (a redelivery may re-make one: the same name).
    // Those still to fire: the manager's review, due a day after last seen, is already the sweep's.
    const owed = deadlineNotices(episode!.state, towerHamlets)
      .filter((n) => n.fireAt > '2026-10-24T10:00:00.000Z')
      .map(noticeKey);
    expect(owed.length).toBeGreaterThan(0);
    expect(new Set(scheduled.map(noticeKey))).toEqual(new Set(owed));
  });
});
