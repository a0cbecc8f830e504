import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIntakeHandler } from '../../../functions/intake/intake-handler';
import { SecretsManagerSecretSource } from '../../../shared/adapters/secrets-manager-secret-source';
import { MAX_BODY_BYTES } from '../../../shared/intake/check-request';
import type { OutboxItem } from '../../../shared/ports';
import { towerHamlets } from '../../support/councils';
import { reportData, wireEvent } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { testPseudonymKey } from '../../support/pseudonym-key';
import { newSecret, signedRequest } from './signed-request';

const secretsManager = mockClient(SecretsManagerClient);

const report = wireEvent('missing.reported', reportData('MPS-1'), {
  id: 'evt-report',
  time: '2026-10-22T19:00:00+01:00',
});
const found = wireEvent(
  'missing.found',
  { episodeRef: 'MPS-1', foundAt: '2026-10-24T09:30:00+01:00' },
  { id: 'evt-found', time: '2026-10-24T09:31:00+01:00' },
);

let secret: string;
let now: string;
/** The secrets cache's clock: it re-reads a source's secrets at most every 30 seconds. */
let cacheMs: number;
let store: MemoryEpisodeStore;
/** Every outbox item committed so far: what the dispatcher is given after each commit. */
let committed: OutboxItem[];
let handle: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const post = (
  body: unknown,
  options: Partial<Parameters<typeof signedRequest>[2]> = {},
  sourceId = 'met-police',
) => handle(signedRequest(sourceId, body, { secret, ...options }));

const json = (result: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(result.body ?? '') as Record<string, unknown>;

const outbox = () => {
  committed.push(...store.takeOutbox());
  return committed;
};
const routed = () => outbox().flatMap((item) => (item.kind === 'routing' ? [item.message] : []));
const deadlineItems = () => outbox().flatMap((item) => (item.kind === 'deadlines' ? [item] : []));

beforeEach(() => {
  secretsManager.reset();
  secret = newSecret();
  now = '2026-10-24T10:00:00.000Z';
  cacheMs = 0;
  store = new MemoryEpisodeStore();
  committed = [];
  secretsManager.on(GetSecretValueCommand).callsFake(() => ({ SecretString: JSON.stringify([secret]) }));
  handle = createIntakeHandler({
    store,
    secrets: new SecretsManagerSecretSource(
      new SecretsManagerClient({ region: 'eu-west-2' }),
      'missing/tower-hamlets/',
      () => cacheMs,
    ),
    pseudonymKey: testPseudonymKey,
    clock: { now: () => now },
    council: towerHamlets,
    logger: new Logger({ serviceName: 'intake-test', logLevel: 'SILENT' }),
  });
});

describe('accepted deliveries', () => {
  it('answers 202 for a signed report, and commits it with its routing message (ids only) in the outbox', async () => {
    const result = await post(report);
    expect(result.statusCode).toBe(202);
    const body = json(result);
    expect(body).toEqual({ episodeId: expect.any(String), status: 'missing', duplicate: false });
    const episode = await store.getEpisode(body.episodeId as string);
    expect(episode?.events.map((e) => [e.sourceId, e.event.id])).toEqual([['met-police', 'evt-report']]);
    // The audit trail keeps the body exactly as signed.
    expect(episode?.events[0]?.rawBody).toBe(JSON.stringify(report));
    expect(routed()).toEqual([{ episodeId: body.episodeId, eventId: 'evt-report', sourceId: 'met-police' }]);
    expect(outbox()[0]).toEqual({
      kind: 'routing',
      committedAt: now,
      message: { episodeId: body.episodeId, eventId: 'evt-report', sourceId: 'met-police' },
    });
    // The deadlines a missing child opens from the report on: in the same commit, ids, keys and times only.
    expect(deadlineItems().map((item) => item.episodeId)).toEqual([body.episodeId]);
  });

  it('answers a redelivered event 200 with duplicate true from the store alone, committing nothing more', async () => {
    const first = json(await post(report));
    await post(found);
    const before = outbox().length;
    const again = await post(found);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ episodeId: first.episodeId, status: 'found', duplicate: true });
    expect(outbox()).toHaveLength(before);
    expect(routed()).toHaveLength(2);
    expect((await store.getEpisode(first.episodeId as string))?.events).toHaveLength(2);
  });

  it('accepts a base64-encoded body as API Gateway passes it', async () => {
    expect((await post(report, { base64: true })).statusCode).toBe(202);
  });

  it('commits the deadline notices the return opens, with ids, notice keys and times only', async () => {
    const { episodeId } = json(await post(report));
    // While missing: the manager's review, the head of service review and the strategy discussion.
    const [whileMissing] = deadlineItems();
    expect([...new Set(whileMissing?.schedule.map((n) => n.deadlineKind))].sort()).toEqual([
      'head_of_service_review',
      'manager_review',
      'strategy_discussion',
    ]);
    await post(found);
    const [, deadlines, ...more] = deadlineItems();
    expect(more).toEqual([]);
    expect(deadlines?.episodeId).toBe(episodeId);
    // Prevention Interview: a reminder and an escalation; RHI: two reminders and an escalation.
    expect(deadlines?.schedule).toHaveLength(5);
    expect(deadlines?.schedule.map((n) => n.fireAt)).toContain('2026-10-27T08:30:00.000Z');
    expect(JSON.stringify(outbox())).not.toMatch(/Alex|Example|2011-05-14/);
  });

  it('commits a notice already due like any other: the dispatcher fires it at once', async () => {
    await post(report);
    now = '2026-10-26T12:00:00.000Z';
    await post(found);
    const due = deadlineItems()
      .at(-1)
      ?.schedule.filter((n) => Date.parse(n.fireAt) <= Date.parse(now));
    // The two 24-hours-before reminders (26 Oct 08:30 UTC) are already due.
    expect(due).toHaveLength(2);
    expect((await store.dueNotices(now, 10)).map((n) => n.noticeKey)).toHaveLength(2);
  });

  it('commits the cancellation of the notices of a deadline the event meets', async () => {
    await post(report);
    await post(found);
    const interview = wireEvent(
      'prevention_interview.completed',
      { episodeRef: 'MPS-1', completedAt: '2026-10-24T10:30:00+01:00' },
      { id: 'evt-pi', time: '2026-10-24T10:31:00+01:00' },
    );
    now = '2026-10-24T10:00:00.000Z';
    expect((await post(interview)).statusCode).toBe(202);
    const cancelled = deadlineItems().at(-1)?.cancel ?? [];
    expect(cancelled).toHaveLength(2);
    expect(cancelled.every((n) => n.deadlineKind === 'prevention_interview')).toBe(true);
  });

  it('links a second report for a child still missing to the same episode', async () => {
    const first = json(await post(report));
    const second = wireEvent('missing.reported', reportData('MPS-2'), { id: 'evt-report-2' });
    const result = json(await post({ ...second, time: '2026-10-22T20:00:00+01:00' }));
    expect(result.episodeId).toBe(first.episodeId);
    expect((await store.getEpisode(first.episodeId as string))?.episodeRefs).toEqual(['MPS-1', 'MPS-2']);
  });

  it('starts a new episode, linked to the last, when a found child is reported missing again', async () => {
    const first = json(await post(report));
    await post(found);
    const again = wireEvent(
      'missing.reported',
      reportData('MPS-2', { lastSeenAt: '2026-10-24T09:45:00+01:00' }),
      { id: 'evt-report-2', time: '2026-10-24T09:50:00+01:00' },
    );
    const second = json(await post(again));
    expect(second.episodeId).not.toBe(first.episodeId);
    expect((await store.getEpisode(second.episodeId as string))?.previousEpisodeId).toBe(first.episodeId);
  });
});

describe('signatures', () => {
  it('accepts a delivery signed with a secret rotated since the cache was filled, re-reading the secrets once', async () => {
    const rotated = newSecret();
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify([secret]) })
      .resolves({ SecretString: JSON.stringify([secret, rotated]) });
    expect((await post(report)).statusCode).toBe(202);
    cacheMs += 60_000;
    expect((await post(found, { secret: rotated })).statusCode).toBe(202);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe(
      'missing/tower-hamlets/met-police',
    );
  });

  it('re-reads the secrets at most every 30 seconds however many bad signatures arrive', async () => {
    for (let i = 0; i < 5; i++) expect((await post(report, { secret: newSecret() })).statusCode).toBe(401);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    cacheMs += 31_000;
    await post(report, { secret: newSecret() });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('accepts either secret while two are active', async () => {
    const next = newSecret();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify([next, secret]) });
    expect((await post(report)).statusCode).toBe(202);
    expect((await post(found, { secret: next })).statusCode).toBe(202);
  });

  it('answers 401 for a tampered body, naming the signature header', async () => {
    const result = await post(report, { signedBody: JSON.stringify({ ...report, id: 'other' }) });
    expect(result.statusCode).toBe(401);
    expect(json(result).errors).toEqual([{ field: 'webhook-signature', message: expect.any(String) }]);
    expect(outbox()).toEqual([]);
  });

  it('answers 401 for a stale timestamp, naming the timestamp header', async () => {
    const result = await post(report, { signedAt: new Date(Date.now() - 6 * 60_000) });
    expect(result.statusCode).toBe(401);
    expect(json(result).errors).toEqual([{ field: 'webhook-timestamp', message: expect.any(String) }]);
  });

  it('answers 401 for a delivery signed with a secret the source does not have', async () => {
    expect((await post(report, { secret: newSecret() })).statusCode).toBe(401);
  });

  it('answers 401 when the signature headers are missing', async () => {
    const request = signedRequest('met-police', report, { secret });
    delete request.headers['webhook-signature'];
    expect((await handle(request)).statusCode).toBe(401);
  });
});

describe('refusals', () => {
  const expectProblem = (result: APIGatewayProxyStructuredResultV2, status: number) => {
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    const body = json(result);
    expect(body).toMatchObject({
      status,
      type: expect.stringMatching(/^https:\/\/|^about:blank$/),
      title: expect.any(String),
    });
    return body;
  };

  it('answers 404 for an unknown source', async () => {
    expectProblem(await post(report, {}, 'no-such-source'), 404);
  });

  it('answers 404 for an email source, which records from its links and never by webhook, reading no secret', async () => {
    const rhi = {
      ...report,
      type: 'prevention_interview.completed',
      data: { episodeRef: 'X', completedAt: report.time },
    };
    expectProblem(await post(rhi, {}, 'email:met-police'), 404);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('answers 413 for a body over the cap, before anything else is read', async () => {
    const big = { ...report, data: { ...report.data, circumstances: 'x'.repeat(MAX_BODY_BYTES) } };
    expectProblem(await post(big), 413);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('answers 400, not 401, for a correctly signed body that is not JSON', async () => {
    const body = expectProblem(await post('not json', { webhookId: 'evt-x' }), 400);
    expect(body.errors).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('answers 400 for an unknown event type', async () => {
    const body = expectProblem(await post({ ...report, type: 'missing.teleported' }), 400);
    expect(body.errors).toEqual([{ field: 'type', message: expect.any(String) }]);
  });

  it('answers 403 for a type the source may not send', async () => {
    const body = expectProblem(await post(found, {}, 'schools'), 403);
    expect(body.errors).toEqual([{ field: 'type', message: expect.any(String) }]);
  });

  it('answers 400 when the event id is not the webhook-id', async () => {
    const body = expectProblem(await post(report, { webhookId: 'evt-other' }), 400);
    expect(body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
  });

  it('answers 400 naming every failing field, and never echoes a value', async () => {
    const bad = {
      ...report,
      data: {
        ...report.data,
        child: { givenName: 'Alex', familyName: 'Example', dateOfBirth: '14/05/2011' },
        reportedBy: 'neighbour',
      },
    };
    const result = await post(bad);
    const body = expectProblem(result, 400);
    const fields = (body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['data.child.dateOfBirth', 'data.reportedBy']);
    expect(result.body).not.toMatch(/14\/05\/2011|neighbour|Alex|Example/);
  });

  it('answers 422 for an adult, without their details', async () => {
    const adult = {
      ...report,
      data: reportData('MPS-9', {
        child: { givenName: 'Sam', familyName: 'Adult', dateOfBirth: '1990-01-01' },
      }),
    };
    const result = await post(adult);
    const body = expectProblem(result, 422);
    expect(body.errors).toEqual([{ field: 'data.child.dateOfBirth', message: expect.any(String) }]);
    expect(result.body).not.toMatch(/1990|Sam|Adult/);
    expect(outbox()).toEqual([]);
  });

  it('answers 409 for an event about an episode never reported', async () => {
    expectProblem(await post(found), 409);
    expect(
      await store.lookUpDelivery({ sourceId: 'met-police', eventId: found.id, episodeRef: 'MPS-1' }),
    ).toEqual({});
    expect(outbox()).toEqual([]);
  });
});

/** The refusal left no trace: no delivery, no episode, nothing in the outbox. */
const expectNothingStored = async (eventId: string, episodeRef = 'MPS-1') => {
  expect(await store.lookUpDelivery({ sourceId: 'met-police', eventId, episodeRef })).toEqual({});
  expect(outbox()).toEqual([]);
};

/** The problem document of a refusal: its status, and the one field it names. */
const refusal = (result: APIGatewayProxyStructuredResultV2) => {
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  const body = json(result) as { status: number; errors: { field: string }[] };
  return { status: result.statusCode, fields: body.errors.map((e) => e.field), body };
};

describe('another method on the intake route', () => {
  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])(
    'answers %s 405 with Allow: POST, naming (method), and stores nothing',
    async (method) => {
      const request = signedRequest('met-police', report, { secret });
      request.requestContext.http.method = method;
      request.routeKey = 'ANY /v1/sources/{sourceId}/events';
      const result = await handle(request);
      expect(result.headers?.allow).toBe('POST');
      const answer = refusal(result);
      expect([answer.status, answer.fields]).toEqual([405, ['(method)']]);
      await expectNothingStored(report.id);
    },
  );

  it('answers 405 before looking at the source, the body or the signature', async () => {
    const request = signedRequest('no-such-source', 'not json', { secret: newSecret() });
    request.requestContext.http.method = 'GET';
    expect((await handle(request)).statusCode).toBe(405);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

describe('the content type', () => {
  const withContentType = (contentType: string | undefined, body: unknown = report) => {
    const request = signedRequest('met-police', body, { secret });
    if (contentType === undefined) delete request.headers['content-type'];
    else request.headers['content-type'] = contentType;
    return handle(request);
  };

  it.each([
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/octet-stream',
    'application/json; charset=iso-8859-1',
    'application/json; charset=utf-16',
    'application/json, text/plain',
    'json',
    undefined,
  ])('answers 415 naming content-type for %j, and stores nothing', async (contentType) => {
    const answer = refusal(await withContentType(contentType));
    expect([answer.status, answer.fields]).toEqual([415, ['content-type']]);
    await expectNothingStored(report.id);
  });

  it.each([
    'application/cloudevents+json',
    'application/json',
    'Application/JSON; charset="UTF-8"',
    'application/cloudevents+json;charset=utf-8',
    'application/json; charset=utf8',
  ])('accepts %j', async (contentType) => {
    expect((await withContentType(contentType)).statusCode).toBe(202);
  });

  it('is checked after the source and the size, before the signature', async () => {
    const unsigned = signedRequest('met-police', report, { secret: newSecret() });
    unsigned.headers['content-type'] = 'text/plain';
    expect((await handle(unsigned)).statusCode).toBe(415);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const unknown = signedRequest('no-such-source', report, { secret });
    unknown.headers['content-type'] = 'text/plain';
    expect((await handle(unknown)).statusCode).toBe(404);
    const big = { ...report, data: { ...report.data, circumstances: 'x'.repeat(MAX_BODY_BYTES) } };
    expect((await withContentType('text/plain', big)).statusCode).toBe(413);
  });
});

describe('control characters and broken Unicode', () => {
  const withChild = (child: Record<string, string>) => ({
    ...report,
    data: { ...report.data, child: { ...report.data.child, ...child } },
  });

  it.each([
    ['NUL in a name', withChild({ givenName: 'Al\u0000ex' }), 'data.child.givenName'],
    ['ESC in a name', withChild({ familyName: 'Ex\u001b[31mample' }), 'data.child.familyName'],
    ['CR LF in a name', withChild({ familyName: 'Ex\r\nample' }), 'data.child.familyName'],
    ['a C1 control in the source', { ...report, source: 'urn:police\u0085met' }, 'source'],
    [
      'a tab in a place',
      { ...report, data: { ...report.data, lastSeenPlace: 'Mile\tEnd' } },
      'data.lastSeenPlace',
    ],
  ])('answers 400 for %s, naming the field, and stores nothing', async (_name, event, field) => {
    const answer = refusal(await post(event));
    expect([answer.status, answer.fields]).toEqual([400, [field]]);
    await expectNothingStored(report.id);
  });

  it('answers 400 for a lone surrogate sent as a JSON escape, naming the field', async () => {
    const body = JSON.stringify(withChild({ givenName: 'Alex' })).replace('"Alex"', '"Al\\ud800ex"');
    const answer = refusal(await post(body, { webhookId: report.id }));
    expect([answer.status, answer.fields]).toEqual([400, ['data.child.givenName']]);
    await expectNothingStored(report.id);
  });

  it('accepts tabs and line breaks in a free-text note', async () => {
    const noted = {
      ...report,
      data: { ...report.data, circumstances: 'Left at 6pm.\r\nSeen later:\n\tBow' },
    };
    expect((await post(noted)).statusCode).toBe(202);
  });
});

describe('times in the future', () => {
  it('answers 422 naming time for an envelope time two days ahead, and stores nothing', async () => {
    const answer = refusal(await post({ ...report, time: '2026-10-26T10:00:00Z' }));
    expect([answer.status, answer.fields]).toEqual([422, ['time']]);
    expect(answer.body).toMatchObject({ errors: [{ message: expect.stringContaining('5 minutes') }] });
    await expectNothingStored(report.id);
  });

  it('answers 422 naming the data time, by the same rule', async () => {
    const ahead = { ...report, data: { ...report.data, lastSeenAt: '2026-10-24T10:06:00Z' } };
    const answer = refusal(await post(ahead));
    expect([answer.status, answer.fields]).toEqual([422, ['data.lastSeenAt']]);
    await expectNothingStored(report.id);
  });

  it('accepts times up to 5 minutes ahead of the server clock (senders’ clocks drift)', async () => {
    const skewed = { ...report, time: '2026-10-24T10:05:00Z' };
    expect((await post({ ...skewed, data: { ...report.data, lastSeenAt: skewed.time } })).statusCode).toBe(
      202,
    );
  });
});

describe('the webhook-timestamp header', () => {
  it.each(['1764590000abc', '17645.9', 'soon', ''])(
    'answers 401 naming webhook-timestamp for %j',
    async (value) => {
      const request = signedRequest('met-police', report, { secret });
      request.headers['webhook-timestamp'] = value;
      const answer = refusal(await handle(request));
      expect([answer.status, answer.fields]).toEqual([401, ['webhook-timestamp']]);
      await expectNothingStored(report.id);
    },
  );

  it('answers 401 naming webhook-timestamp when it is missing', async () => {
    const request = signedRequest('met-police', report, { secret });
    delete request.headers['webhook-timestamp'];
    const answer = refusal(await handle(request));
    expect([answer.status, answer.fields]).toEqual([401, ['webhook-timestamp']]);
    await expectNothingStored(report.id);
  });

  it('accepts the digits with the signature made for them', async () => {
    expect((await post(report)).statusCode).toBe(202);
  });
});

describe('a body that is not UTF-8', () => {
  const notUtf8 = Buffer.concat([
    Buffer.from(JSON.stringify(report).replace('"Alex"', '"Al')),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('x"'),
  ]);

  it('answers 400 naming (body) when it is correctly signed over its bytes', async () => {
    const answer = refusal(await post(notUtf8, { webhookId: report.id }));
    expect([answer.status, answer.fields]).toEqual([400, ['(body)']]);
    await expectNothingStored(report.id);
  });

  it('answers 401 when the signature was made over other bytes', async () => {
    const answer = refusal(
      await post(notUtf8, { webhookId: report.id, signedBody: notUtf8.toString('utf8') }),
    );
    expect([answer.status, answer.fields]).toEqual([401, ['webhook-signature']]);
    await expectNothingStored(report.id);
  });
});

describe('a store that fails', () => {
  it('answers 500 with a problem document, and the retried delivery is committed once', async () => {
    const commit = store.commit.bind(store);
    let failures = 1;
    store.commit = async (change) => {
      if (failures-- > 0)
        throw Object.assign(new Error('throughput exceeded'), { name: 'ThrottlingException' });
      return commit(change);
    };
    const failed = await post(report);
    expect(failed.statusCode).toBe(500);
    expect(failed.headers?.['content-type']).toBe('application/problem+json');
    expect(outbox()).toEqual([]);

    const retried = await post(report);
    expect(retried.statusCode).toBe(202);
    expect(routed()).toHaveLength(1);
    expect(json(await post(report)).duplicate).toBe(true);
    expect(routed()).toHaveLength(1);
  });
});
