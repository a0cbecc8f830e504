import { Logger } from '@aws-lambda-powertools/logger';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createIntakeHandler } from '../../../functions/intake/intake-handler';
import { EventBridgeDeadlineScheduler } from '../../../shared/adapters/eventbridge-deadline-scheduler';
import { SecretsManagerSecretSource } from '../../../shared/adapters/secrets-manager-secret-source';
import { SqsRoutingQueue } from '../../../shared/adapters/sqs-routing-queue';
import { MAX_BODY_BYTES } from '../../../shared/intake/check-request';
import { towerHamlets } from '../../support/councils';
import { reportData, wireEvent } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { newSecret, signedRequest } from './signed-request';

const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
const secretsManager = mockClient(SecretsManagerClient);

const QUEUE_URL = 'https://sqs.eu-west-2.amazonaws.com/123456789012/routing';
const target = {
  groupName: 'tower-hamlets',
  targetArn: 'arn:aws:lambda:eu-west-2:123456789012:function:reminder',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:eu-west-2:123456789012:scheduler-dlq',
};

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
let handle: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const post = (
  body: unknown,
  options: Partial<Parameters<typeof signedRequest>[2]> = {},
  sourceId = 'met-police',
) => handle(signedRequest(sourceId, body, { secret, ...options }));

const json = (result: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(result.body ?? '') as Record<string, unknown>;

const queuedBodies = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries?.map((e) => e.MessageBody));
const createdSchedules = () =>
  scheduler.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input);

beforeEach(() => {
  sqs.reset();
  scheduler.reset();
  secretsManager.reset();
  secret = newSecret();
  now = '2026-10-24T10:00:00.000Z';
  cacheMs = 0;
  store = new MemoryEpisodeStore();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  secretsManager.on(GetSecretValueCommand).callsFake(() => ({ SecretString: JSON.stringify([secret]) }));
  handle = createIntakeHandler({
    store,
    queue: new SqsRoutingQueue(new SQSClient({ region: 'eu-west-2' }), QUEUE_URL),
    scheduler: new EventBridgeDeadlineScheduler(new SchedulerClient({ region: 'eu-west-2' }), target),
    secrets: new SecretsManagerSecretSource(
      new SecretsManagerClient({ region: 'eu-west-2' }),
      'missing/tower-hamlets/',
      () => cacheMs,
    ),
    clock: { now: () => now },
    council: towerHamlets,
    logger: new Logger({ serviceName: 'intake-test', logLevel: 'SILENT' }),
  });
});

describe('accepted deliveries', () => {
  it('answers 202 for a signed report, stores it and queues a routing message with ids only', async () => {
    const result = await post(report);
    expect(result.statusCode).toBe(202);
    const body = json(result);
    expect(body).toEqual({ episodeId: expect.any(String), status: 'missing', duplicate: false });
    const episode = await store.getEpisode(body.episodeId as string);
    expect(episode?.events.map((e) => [e.sourceId, e.event.id])).toEqual([['met-police', 'evt-report']]);
    // The audit trail keeps the body exactly as signed.
    expect(episode?.events[0]?.rawBody).toBe(JSON.stringify(report));
    expect(queuedBodies()).toEqual([
      JSON.stringify({ episodeId: body.episodeId, eventId: 'evt-report', sourceId: 'met-police' }),
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect((await store.findDelivery('met-police', 'evt-report'))?.effectsDone).toBe(true);
  });

  it('answers a redelivered event 200 with duplicate true, and sends nothing twice', async () => {
    const first = json(await post(report));
    await post(found);
    const schedulesBefore = createdSchedules().length;
    const again = await post(found);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toEqual({ episodeId: first.episodeId, status: 'found', duplicate: true });
    expect(queuedBodies()).toHaveLength(2);
    expect(createdSchedules()).toHaveLength(schedulesBefore);
    expect((await store.getEpisode(first.episodeId as string))?.events).toHaveLength(2);
  });

  it('accepts a base64-encoded body as API Gateway passes it', async () => {
    expect((await post(report, { base64: true })).statusCode).toBe(202);
  });

  it('schedules each deadline notice once, by a deterministic name, to fire the reminder with ids only', async () => {
    const { episodeId } = json(await post(report));
    // While missing: the head of service review and the strategy discussion (72 hours after last seen); the
    // manager's review (24 hours) is already due by the clock here, so the sweep fires it.
    const whileMissing = createdSchedules().map((s) => s.Name?.split('-').at(-3));
    expect(whileMissing).toEqual(['hos', 'hos', 'sd', 'sd']);
    await post(found);
    const schedules = createdSchedules().slice(whileMissing.length);
    // Prevention Interview: a reminder and an escalation; RHI: two reminders and an escalation.
    expect(schedules).toHaveLength(5);
    for (const schedule of createdSchedules()) {
      expect(schedule.Name).toMatch(new RegExp(`^${episodeId}-(pi|rhi|hos|sd)-(r\\d+|esc)-[0-9a-z]+$`));
      expect(schedule.Name?.length).toBeLessThanOrEqual(64);
      expect(schedule).toMatchObject({
        GroupName: 'tower-hamlets',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: target.targetArn,
          RoleArn: target.roleArn,
          DeadLetterConfig: { Arn: target.deadLetterArn },
          RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: expect.any(Number) }),
        },
      });
      expect(Object.keys(JSON.parse(schedule.Target?.Input ?? '{}')).sort()).toEqual([
        'episodeId',
        'noticeKey',
      ]);
    }
    expect(schedules.map((s) => s.ScheduleExpression)).toContain('at(2026-10-27T08:30:00)');
  });

  it('makes no schedule for a notice whose time has already passed (the sweep fires it)', async () => {
    await post(report);
    const beforeReturn = createdSchedules().length;
    now = '2026-10-26T12:00:00.000Z';
    await post(found);
    // The two 24-hours-before reminders (26 Oct 08:30 UTC) are already due.
    expect(createdSchedules().slice(beforeReturn)).toHaveLength(3);
    expect((await store.dueNotices(now, 10)).map((n) => n.noticeKey).sort()).toHaveLength(2);
  });

  it('cancels the schedules of a deadline the event meets, treating one already gone as cancelled', async () => {
    const { episodeId } = json(await post(report));
    await post(found);
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const interview = wireEvent(
      'prevention_interview.completed',
      { episodeRef: 'MPS-1', completedAt: '2026-10-24T10:30:00+01:00' },
      { id: 'evt-pi', time: '2026-10-24T10:31:00+01:00' },
    );
    now = '2026-10-24T10:00:00.000Z';
    const beforeInterview = scheduler.commandCalls(DeleteScheduleCommand).length;
    const result = await post(interview);
    expect(result.statusCode).toBe(202);
    const deleted = scheduler
      .commandCalls(DeleteScheduleCommand)
      .slice(beforeInterview)
      .map((call) => call.args[0].input.Name);
    expect(deleted).toHaveLength(2);
    expect(deleted.every((name) => name?.startsWith(`${episodeId}-pi-`))).toBe(true);
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
    expect(queuedBodies()).toEqual([]);
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
    expect(queuedBodies()).toEqual([]);
  });

  it('answers 409 for an event about an episode never reported', async () => {
    expectProblem(await post(found), 409);
    expect(await store.findEpisodeIdByRef('MPS-1')).toBeUndefined();
  });
});

/** The refusal left no trace: no delivery, no episode, no routing message, no schedule. */
const expectNothingStored = async (eventId: string, episodeRef = 'MPS-1') => {
  expect(await store.findDelivery('met-police', eventId)).toBeUndefined();
  expect(await store.findEpisodeIdByRef(episodeRef)).toBeUndefined();
  expect(queuedBodies()).toEqual([]);
  expect(createdSchedules()).toEqual([]);
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

describe('failures after the event was stored', () => {
  it('answers 500 when SQS fails, and the retried delivery queues the message once', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(new Error('SQS unavailable'))
      .resolves({ Successful: [], Failed: [] });
    const failed = await post(report);
    expect(failed.statusCode).toBe(500);
    expect(failed.headers?.['content-type']).toBe('application/problem+json');
    const delivery = await store.findDelivery('met-police', 'evt-report');
    expect(delivery?.effectsDone).toBe(false);

    const retried = await post(report);
    expect(retried.statusCode).toBe(200);
    expect(json(retried)).toEqual({ episodeId: delivery?.episodeId, status: 'missing', duplicate: true });
    expect((await store.findDelivery('met-police', 'evt-report'))?.effectsDone).toBe(true);
    const message = JSON.stringify({
      episodeId: delivery?.episodeId,
      eventId: 'evt-report',
      sourceId: 'met-police',
    });
    // The failed attempt and the one that succeeded: one message reached the queue.
    expect(queuedBodies()).toEqual([message, message]);
    expect((await store.getEpisode(delivery?.episodeId ?? ''))?.events).toHaveLength(1);

    await post(report);
    expect(queuedBodies()).toHaveLength(2);
  });

  it('answers 500 when the Scheduler fails, and the retry makes every schedule without doubling the routing message', async () => {
    await post(report);
    // A fake Scheduler: the second create is throttled; a name made before answers ConflictException.
    const made = new Set<string>();
    let creates = 0;
    scheduler.on(CreateScheduleCommand).callsFake((input: { Name: string }) => {
      creates++;
      if (creates === 2) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      if (made.has(input.Name)) throw Object.assign(new Error('exists'), { name: 'ConflictException' });
      made.add(input.Name);
      return { ScheduleArn: `arn:${input.Name}` };
    });
    expect((await post(found)).statusCode).toBe(500);
    expect(made.size).toBe(4);
    expect(queuedBodies()).toHaveLength(1);

    const retried = await post(found);
    expect(retried.statusCode).toBe(200);
    expect(json(retried).duplicate).toBe(true);
    expect(made.size).toBe(5);
    expect(new Set(queuedBodies()).size).toBe(2);
    expect(queuedBodies()).toHaveLength(2);
  });
});
