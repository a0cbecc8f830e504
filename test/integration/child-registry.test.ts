import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { legacyChildId } from '../../shared/children/legacy-child-id';
import { foldEpisode } from '../../shared/episode/fold-episode';
import { acceptDelivery, type IntakePorts } from '../../shared/intake/accept-delivery';
import { newSecret, signedRequest } from '../functions/intake/signed-request';
import { towerHamlets } from '../support/councils';
import { useDynamoDbLocal } from '../support/dynamodb-local';
import { parsedEvent, reportData, wireEvent } from '../support/events';
import { nhsNumberFor, upnFor } from '../support/identifiers';
import { testPseudonymKey } from '../support/pseudonym-key';

const tables = useDynamoDbLocal();
const secret = newSecret();
let store: DynamoIntakeStore;
let ports: IntakePorts;

beforeEach(async () => {
  store = new DynamoIntakeStore(tables.doc(), await tables.createTable());
  ports = {
    store,
    secrets: { secretsFor: async () => [secret] },
    pseudonymKey: testPseudonymKey,
    clock: { now: () => '2026-10-23T10:00:00.000Z' },
    council: towerHamlets,
  };
});

const deliver = async (sourceId: string, body: { id: string }) => {
  const request = signedRequest(sourceId, body, { secret });
  const outcome = await acceptDelivery(ports, {
    method: 'POST',
    sourceId,
    body: Buffer.from(request.body ?? ''),
    headers: request.headers,
  });
  if (!outcome.ok) throw new Error(`refused: ${outcome.error.detail}`);
  return outcome.accepted;
};

const child = { givenName: 'Riley', familyName: 'Stored-Before', dateOfBirth: '2012-06-01' };
const upn = upnFor(7);

describe('a table written before the child registry (filled lazily)', () => {
  it('a report of a child stored under the old id joins their open episode, and the next report finds them through any identifier', async () => {
    // What the pipeline stored before the registry: the school's report, under the plain hash of the UPN.
    const schoolReport = parsedEvent(
      'missing.reported',
      reportData('SCH-OLD-1', { child: { ...child, identifiers: { upn } }, reportedBy: 'school' }),
      { id: 'old-1', time: '2026-10-22T19:00:00+01:00' },
    );
    const state = foldEpisode([schoolReport], { council: towerHamlets });
    if (!state) throw new Error('no state');
    const oldId = legacyChildId(towerHamlets.id, state.child);
    expect(
      await store.commit({
        delivery: { sourceId: 'schools', receivedAt: '2026-10-22T18:05:00.000Z', event: schoolReport },
        episodeId: 'episode-stored-before',
        childId: oldId,
        episodeRef: 'SCH-OLD-1',
        state,
        expectedVersion: 0,
        otherEpisodes: [],
        notices: { create: [], cancel: [] },
        outbox: [],
        retentionExpiresAt: '2032-10-22T18:05:00.000Z',
      }),
    ).toBe('committed');

    // The police report the same child with the UPN: no registry entry yet, so the old id is looked for.
    const police = await deliver(
      'met-police',
      wireEvent(
        'missing.reported',
        reportData('MPS-NEW-1', { child: { ...child, identifiers: { upn } }, reportedBy: 'police' }),
        { id: 'new-1', time: '2026-10-22T20:00:00+01:00' },
      ),
    );
    expect(police.episodeId).toBe('episode-stored-before');

    // Health reports them with an NHS number and no UPN: their name and date of birth are in the registry now.
    const health = await deliver(
      'met-police',
      wireEvent(
        'missing.reported',
        reportData('MPS-NEW-2', {
          child: { ...child, givenName: 'RILEY', identifiers: { nhsNumber: nhsNumberFor(7) } },
        }),
        { id: 'new-2', time: '2026-10-22T21:00:00+01:00' },
      ),
    );
    expect(health.episodeId).toBe('episode-stored-before');
    const episode = await store.getEpisode('episode-stored-before');
    expect(episode?.childId).toBe(oldId);
    expect(episode?.episodeRefs).toEqual(['MPS-NEW-1', 'MPS-NEW-2', 'SCH-OLD-1']);
    expect(Object.keys((await store.getChild(oldId)).identity ?? {}).sort()).toEqual([
      'born',
      'nhs',
      'person',
      'upn',
    ]);
  });

  it('a report of a child the table does not hold makes a new child whose id is not the old plain hash', async () => {
    const report = wireEvent(
      'missing.reported',
      reportData('MPS-FRESH-1', { child: { ...child, identifiers: { upn } } }),
      { id: 'fresh-1', time: '2026-10-22T20:00:00+01:00' },
    );
    const { episodeId } = await deliver('met-police', report);
    const episode = await store.getEpisode(episodeId);
    expect(episode?.childId).toMatch(/^[0-9a-f]{32}$/);
    expect(episode?.childId).not.toBe(
      legacyChildId(towerHamlets.id, { ...child, identifiers: { upn }, lookedAfter: false }),
    );
  });
});
