import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSignedEvent } from '../../infra/local/webhook-sender';
import { type LocalRuntime, startRuntime } from './support/local-runtime';

const now = () => new Date().toISOString();
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

const report = (episodeRef: string, overrides: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: `${episodeRef}-report`,
  source: 'urn:e2e:met-police',
  type: 'missing.reported',
  time: hoursAgo(1),
  data: {
    episodeRef,
    child: { givenName: 'Riley', familyName: 'Test', dateOfBirth: '2013-01-20' },
    reportedBy: 'police',
    lastSeenAt: hoursAgo(2),
    ...overrides,
  },
});

describe('the local intake answers the wire contract over HTTP', () => {
  let runtime: LocalRuntime;
  let ref = 0;
  const nextRef = () => `E2E-ANS-${Date.now()}-${++ref}`;

  beforeAll(async () => {
    runtime = await startRuntime({ council: 'tower-hamlets' });
    // A start is ~5 s on an idle machine; a JVM booting on a loaded one can take half a minute.
  }, 180_000);
  afterAll(async () => {
    await runtime?.discard();
  });

  it('accepts a signed report with 202 and answers its redelivery with 200 and the same episode', async () => {
    const event = report(nextRef());
    const first = await runtime.send('met-police', event);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'missing', duplicate: false });
    const again = await runtime.send('met-police', event);
    expect(again).toEqual({ status: 200, body: { ...(first.body as object), duplicate: true } });
  });

  it('emails nothing twice for a redelivered event', async () => {
    const event = report(nextRef());
    await runtime.send('met-police', event);
    const once = (await runtime.settledOutbox()).length;
    await runtime.send('met-police', event);
    expect((await runtime.settledOutbox()).length).toBe(once);
  });

  it("refuses an event signed with another source's secret with 401, as a problem document", async () => {
    const answer = await sendSignedEvent(
      runtime.url,
      'met-police',
      runtime.secret('schools'),
      report(nextRef()),
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ status: 401 });
  });

  it('refuses a signature older than five minutes with 401', async () => {
    const answer = await runtime.send('met-police', report(nextRef()), {
      signedAt: new Date(Date.now() - 6 * 60_000),
    });
    expect(answer.status).toBe(401);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const answer = await runtime.send('met-police', { id: 'not-json-1' }, { rawBody: '{"specversion":' });
    expect(answer.status).toBe(400);
  });

  it('refuses an event that breaks the contract with 400 naming the field', async () => {
    const event = report(nextRef(), { reportedBy: 'neighbour' });
    const answer = await runtime.send('met-police', event);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('data.reportedBy');
  });

  it('refuses a body over the intake limit with 413', async () => {
    const event = report(nextRef(), { circumstances: 'x'.repeat(70 * 1024) });
    const answer = await runtime.send('met-police', event);
    expect(answer.status).toBe(413);
  });

  it('refuses an event from a source not allowed to send its type with 403', async () => {
    const found = {
      ...report(nextRef()),
      type: 'missing.found',
      data: { episodeRef: 'X-1', foundAt: now() },
    };
    const answer = await runtime.send('schools', found);
    expect(answer.status).toBe(403);
  });

  it('answers 404 for a source the council does not have', async () => {
    const answer = await runtime.send('nobody', report(nextRef()));
    expect(answer.status).toBe(404);
  });

  it('refuses a report of an adult with 422', async () => {
    const adult = report(nextRef(), {
      child: { givenName: 'Sam', familyName: 'Grown', dateOfBirth: '1990-01-01' },
    });
    const answer = await runtime.send('met-police', adult);
    expect(answer.status).toBe(422);
  });

  it('refuses an interview for an episode never reported with 409', async () => {
    const interview = {
      ...report(nextRef()),
      type: 'prevention_interview.completed',
      data: { episodeRef: nextRef(), completedAt: now() },
    };
    const answer = await runtime.send('met-police', interview);
    expect(answer.status).toBe(409);
  });

  it('answers 400 to a clock move that is not a duration', async () => {
    expect((await runtime.advanceClock('three days')).status).toBe(400);
  });
});
