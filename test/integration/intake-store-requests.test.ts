import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { acceptDelivery, type IntakePorts } from '../../shared/intake/accept-delivery';
import { newSecret, signedRequest } from '../functions/intake/signed-request';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { reportData, wireEvent } from '../support/events';
import { upnFor } from '../support/identifiers';
import { testPseudonymKey } from '../support/pseudonym-key';

const tables = useDynamoDbLocal();
const secret = newSecret();
/** Every request the store sent, by command, since the last reset. */
let requests: string[] = [];
let ports: IntakePorts;

beforeAll(() => {
  tables.doc().middlewareStack.add(
    (next, context) => async (args) => {
      requests.push((context.commandName ?? '?').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countStoreRequests' },
  );
});

beforeEach(async () => {
  ports = {
    store: new DynamoIntakeStore(tables.doc(), await tables.createTable()),
    secrets: { secretsFor: async () => [secret] },
    pseudonymKey: testPseudonymKey,
    clock: { now: () => '2026-10-28T10:00:00.000Z' },
    council: towerHamlets,
  };
});

/** The store requests one delivery cost, in order. */
const costOf = async (body: { id: string }) => {
  const request = signedRequest('met-police', body, { secret });
  requests = [];
  const outcome = await acceptDelivery(ports, {
    method: 'POST',
    sourceId: 'met-police',
    body: Buffer.from(request.body ?? ''),
    headers: request.headers,
  });
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.detail}`);
  return requests;
};

const ref = 'MPS-REQ-1';
const report = wireEvent('missing.reported', reportData(ref), {
  id: 'r-1',
  time: '2026-10-22T19:00:00+01:00',
});
const found = wireEvent(
  'missing.found',
  { episodeRef: ref, foundAt: '2026-10-24T09:30:00+01:00' },
  { id: 'r-2', time: '2026-10-24T09:31:00+01:00' },
);
const interview = wireEvent(
  'prevention_interview.completed',
  { episodeRef: ref, completedAt: '2026-10-24T15:00:00+01:00' },
  { id: 'r-3', time: '2026-10-24T15:05:00+01:00' },
);
const rhi = wireEvent(
  'rhi.completed',
  {
    episodeRef: ref,
    completedAt: '2026-10-26T11:00:00Z',
    setting: 'neutral',
    concerns: { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false },
  },
  { id: 'r-4', time: '2026-10-26T11:30:00Z' },
);

describe("intake's store requests in the request path", () => {
  it('a new report costs three: the delivery and ref read, the child read, the commit', async () => {
    expect(await costOf(report)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
  });

  it('an event about a known episode costs three: the delivery and ref read, the episode read, the commit', async () => {
    await costOf(report);
    expect(await costOf(found)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
  });

  it('the event that closes an episode costs three too: the episode says it holds the open pointer', async () => {
    for (const event of [report, found, interview]) await costOf(event);
    expect(await costOf(rhi)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    const { refEpisodeId = '' } = await ports.store.lookUpDelivery({
      sourceId: 'met-police',
      eventId: rhi.id,
      episodeRef: ref,
    });
    const episode = await ports.store.getEpisode(refEpisodeId);
    expect(episode?.state.status).toBe('closed');
    expect((await ports.store.getChild(episode?.childId ?? '')).openEpisodeId).toBeUndefined();
  });

  it('a report of a child the registry knows, found through an identifier of another system, costs three once their episode closed', async () => {
    for (const event of [report, found, interview, rhi]) await costOf(event);
    // The police's second report of the child: the same name and date of birth, the school's UPN too.
    const again = wireEvent(
      'missing.reported',
      reportData('MPS-REQ-2', {
        child: { ...reportData(ref).child, identifiers: { upn: upnFor(1) } },
        lastSeenAt: '2026-10-27T18:00:00Z',
      }),
      { id: 'r-5', time: '2026-10-27T19:00:00Z' },
    );
    expect(await costOf(again)).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
  });

  it('a second report under a new ref while the child is still missing costs four: it reads the open episode too', async () => {
    await costOf(report);
    const second = wireEvent('missing.reported', reportData('MPS-REQ-2'), {
      id: 'r-6',
      time: '2026-10-22T20:00:00+01:00',
    });
    expect(await costOf(second)).toEqual(['BatchGetItem', 'Query', 'Query', 'TransactWriteItems']);
  });

  it('a redelivery is answered from one read and writes nothing', async () => {
    await costOf(report);
    expect(await costOf(report)).toEqual(['BatchGetItem']);
  });
});
