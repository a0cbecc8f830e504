import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SentEvent, sendSignedEvent } from '../../infra/local/webhook-sender';
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

/** One runtime for the whole file: a start is ~5 s on an idle machine, half a minute on a loaded one. */
let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startRuntime({ council: 'tower-hamlets' });
}, 180_000);
afterAll(async () => {
  await runtime?.discard();
});

let ref = 0;
const nextRef = () => `E2E-ANS-${Date.now()}-${++ref}`;

describe('the local intake answers the wire contract over HTTP', () => {
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

describe('the local intake answers each input at the edge of the contract as documented', () => {
  /** What a stored delivery changes: the emails sent and the schedules pending, once the queue is empty. */
  const holdings = async () => {
    await runtime.settledOutbox();
    const { outbox, schedules } = await runtime.status();
    return { emails: outbox.emails, schedules: schedules.pending.length };
  };

  /**
   * Sends something that must be refused and proves nothing was stored: the runtime holds what it held, and
   * the event's id is still unused (the valid event with that id is accepted as new, not as a duplicate).
   */
  const refusedLeavingNothing = async (send: () => Promise<SentEvent>, valid: Record<string, unknown>) => {
    const before = await holdings();
    const answer = await send();
    expect(await holdings()).toEqual(before);
    const again = await runtime.send('met-police', valid);
    expect(again, 'the refused delivery was stored').toMatchObject({
      status: 202,
      body: { duplicate: false },
    });
    const body = answer.body as { errors?: { field: string }[] };
    return { status: answer.status, fields: body.errors?.map((e) => e.field), body: answer.body };
  };

  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['application/json; charset=iso-8859-1'],
    [null],
  ])('answers 415 naming content-type for %j', async (contentType) => {
    const event = report(nextRef());
    const answer = await refusedLeavingNothing(
      () => runtime.send('met-police', event, { contentType }),
      event,
    );
    expect([answer.status, answer.fields]).toEqual([415, ['content-type']]);
  });

  it('accepts application/cloudevents+json (which an HTTP API passes base64-encoded)', async () => {
    const answer = await runtime.send('met-police', report(nextRef()), {
      contentType: 'application/cloudevents+json; charset=utf-8',
    });
    expect(answer).toMatchObject({ status: 202, body: { duplicate: false } });
  });

  it('answers 400 naming the field for a control character in a name', async () => {
    const event = report(nextRef());
    const named = {
      ...event,
      data: { ...event.data, child: { ...event.data.child, givenName: 'Ri\u001bley' } },
    };
    const answer = await refusedLeavingNothing(() => runtime.send('met-police', named), event);
    expect([answer.status, answer.fields]).toEqual([400, ['data.child.givenName']]);
  });

  it('answers 400 naming the field for a lone surrogate sent as a JSON escape', async () => {
    const event = report(nextRef());
    const rawBody = JSON.stringify(event).replace('"Riley"', '"Ri\\udc00ley"');
    const answer = await refusedLeavingNothing(() => runtime.send('met-police', event, { rawBody }), event);
    expect([answer.status, answer.fields]).toEqual([400, ['data.child.givenName']]);
  });

  it('answers 422 naming time for an envelope time two days ahead', async () => {
    const event = report(nextRef());
    const ahead = { ...event, time: new Date(Date.now() + 48 * 3_600_000).toISOString() };
    const answer = await refusedLeavingNothing(() => runtime.send('met-police', ahead), event);
    expect([answer.status, answer.fields]).toEqual([422, ['time']]);
  });

  it('answers 401 naming webhook-timestamp for one with letters after the digits', async () => {
    const event = report(nextRef());
    const timestamp = `${Math.floor(Date.now() / 1000)}abc`;
    const answer = await refusedLeavingNothing(
      () => runtime.send('met-police', event, { headers: { 'webhook-timestamp': timestamp } }),
      event,
    );
    expect([answer.status, answer.fields]).toEqual([401, ['webhook-timestamp']]);
  });

  it('answers 400 naming (body) for a correctly signed body that is not UTF-8', async () => {
    const event = report(nextRef());
    const [before, after] = JSON.stringify(event).split('Riley') as [string, string];
    const rawBody = Buffer.concat([
      Buffer.from(`${before}Ri`),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from(after),
    ]);
    const answer = await refusedLeavingNothing(() => runtime.send('met-police', event, { rawBody }), event);
    expect([answer.status, answer.fields]).toEqual([400, ['(body)']]);
  });

  it('answers another method on the intake route 405 with Allow: POST, as a problem document', async () => {
    const event = report(nextRef());
    let allow: string | null = null;
    let contentType: string | null = null;
    const answer = await refusedLeavingNothing(async () => {
      const response = await fetch(`${runtime.url}/v1/sources/met-police/events`, { method: 'GET' });
      allow = response.headers.get('allow');
      contentType = response.headers.get('content-type');
      return { status: response.status, body: await response.json() };
    }, event);
    expect([answer.status, answer.fields, allow, contentType]).toEqual([
      405,
      ['(method)'],
      'POST',
      'application/problem+json',
    ]);
  });

  it('answers what API Gateway answers itself: 404 for a route it does not have, 413 over 10 MB, plain JSON', async () => {
    const before = await holdings();
    const unknown = await fetch(`${runtime.url}/v1/source/met-police/events`, { method: 'POST', body: '{}' });
    expect([unknown.status, unknown.headers.get('content-type'), await unknown.text()]).toEqual([
      404,
      'application/json',
      '{"message":"Not Found"}',
    ]);
    const event = report(nextRef());
    const huge = await runtime.send('met-police', event, {
      rawBody: JSON.stringify({ ...event, padding: 'x'.repeat(10 * 1024 * 1024) }),
    });
    expect(huge).toEqual({ status: 413, body: { message: 'Request Entity Too Large' } });
    expect(await holdings()).toEqual(before);
    expect(await runtime.send('met-police', event)).toMatchObject({
      status: 202,
      body: { duplicate: false },
    });
  });
});
