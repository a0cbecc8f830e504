import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLocalHttpServer,
  type LocalRoutes,
  listen,
  MAX_PAYLOAD_BYTES,
} from '../../../infra/local/local-http-server';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const serve = async (routes: LocalRoutes | undefined) => {
  const server = createLocalHttpServer(() => routes);
  servers.push(server);
  const port = await listen(server, 0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
};

const recordingRoutes = () => {
  const intakeEvents: APIGatewayProxyEventV2[] = [];
  const advances: number[] = [];
  const routes: LocalRoutes = {
    intake: async (event) => {
      intakeEvents.push(event);
      return {
        statusCode: 202,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ episodeId: 'ep-1', status: 'missing', duplicate: false }),
      };
    },
    outbox: () => [{ subject: 'first' }, { subject: 'second' }],
    advanceClock: async (ms) => {
      advances.push(ms);
      return { now: 'later', fired: 0 };
    },
    status: () => ({ queue: { depth: 0 } }),
  };
  return { routes, intakeEvents, advances };
};

describe('the local HTTP server', () => {
  it('hands the intake handler the API Gateway HTTP API 2.0 event and returns its answer', async () => {
    const { routes, intakeEvents } = recordingRoutes();
    const base = await serve(routes);
    const body = '{"specversion":"1.0"}';
    const answer = await fetch(`${base}/v1/sources/met-police/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Webhook-Id': 'evt-1', 'webhook-signature': 'v1,abc' },
      body,
    });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ episodeId: 'ep-1', status: 'missing', duplicate: false });
    const [event] = intakeEvents;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/sources/{sourceId}/events',
      rawPath: '/v1/sources/met-police/events',
      body,
      isBase64Encoded: false,
      pathParameters: { sourceId: 'met-police' },
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt-1', 'webhook-signature': 'v1,abc' },
      requestContext: { http: { method: 'POST', path: '/v1/sources/met-police/events' }, stage: '$default' },
    });
  });

  it('refuses a payload larger than API Gateway accepts without calling the handler', async () => {
    const { routes, intakeEvents } = recordingRoutes();
    const base = await serve(routes);
    const answer = await fetch(`${base}/v1/sources/met-police/events`, {
      method: 'POST',
      body: 'x'.repeat(MAX_PAYLOAD_BYTES + 1),
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.text()).toBe('{"message":"Request Entity Too Large"}');
    expect(intakeEvents).toEqual([]);
  });

  it("answers a route it does not have with API Gateway's own 404, byte for byte", async () => {
    const base = await serve(recordingRoutes().routes);
    for (const [method, path] of [
      ['GET', '/v2/nothing'],
      ['POST', '/v1/sources/met-police/events/extra'],
      ['POST', '/v1/sources/met-police'],
    ] as const) {
      const answer = await fetch(`${base}${path}`, { method });
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(await answer.text()).toBe('{"message":"Not Found"}');
    }
  });

  it('hands every other method on the intake route to the intake, as the ANY route does', async () => {
    const { routes, intakeEvents } = recordingRoutes();
    const base = await serve(routes);
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      await fetch(`${base}/v1/sources/met-police/events`, { method });
    }
    expect(intakeEvents.map((e) => [e.requestContext.http.method, e.routeKey])).toEqual(
      ['GET', 'PUT', 'DELETE', 'PATCH'].map((m) => [m, 'ANY /v1/sources/{sourceId}/events']),
    );
  });

  it('passes JSON as text, and other types or bytes that are not UTF-8 base64-encoded, exactly', async () => {
    const { routes, intakeEvents } = recordingRoutes();
    const base = await serve(routes);
    const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const sent: [string | undefined, Buffer][] = [
      ['application/json; charset=utf-8', Buffer.from('{"a":"é"}')],
      ['text/plain', Buffer.from('plain')],
      ['application/cloudevents+json', Buffer.from('{"a":1}')],
      ['application/x-www-form-urlencoded', Buffer.from('a=1')],
      [undefined, Buffer.from('{"a":1}')],
      ['application/json', notUtf8],
    ];
    for (const [contentType, body] of sent) {
      await fetch(`${base}/v1/sources/met-police/events`, {
        method: 'POST',
        headers: contentType ? { 'content-type': contentType } : {},
        body,
      });
    }
    expect(intakeEvents.map((e) => e.isBase64Encoded)).toEqual([false, false, true, true, true, true]);
    intakeEvents.forEach((event, i) => {
      const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
      expect(bytes.equals(sent[i]?.[1] ?? Buffer.alloc(0)), `body ${i}`).toBe(true);
    });
  });

  it('serves the outbox and moves the clock by an ISO-8601 duration', async () => {
    const { routes, advances } = recordingRoutes();
    const base = await serve(routes);
    expect(await (await fetch(`${base}/_local/outbox`)).json()).toEqual([
      { subject: 'first' },
      { subject: 'second' },
    ]);
    const moved = await fetch(`${base}/_local/clock`, { method: 'POST', body: '{"advance":"PT72H"}' });
    expect(moved.status).toBe(200);
    expect(advances).toEqual([72 * 3_600_000]);
  });

  it('answers 400 to a clock move that is not a duration', async () => {
    const { routes, advances } = recordingRoutes();
    const base = await serve(routes);
    for (const body of ['{"advance":"72 hours"}', 'not json', '{"advance":"PT1H","back":true}']) {
      expect((await fetch(`${base}/_local/clock`, { method: 'POST', body })).status, body).toBe(400);
    }
    expect(advances).toEqual([]);
  });

  it('answers 503 while starting, 404 for a route it does not have and 400 for a broken path', async () => {
    const starting = await serve(undefined);
    expect((await fetch(`${starting}/_local/health`)).status).toBe(503);
    expect((await fetch(`${starting}/_local/outbox`)).status).toBe(503);
    const ready = await serve(recordingRoutes().routes);
    expect((await fetch(`${ready}/_local/health`)).status).toBe(200);
    expect((await fetch(`${ready}/v2/nothing`)).status).toBe(404);
    expect((await fetch(`${ready}/v1/sources/%E0%A4%A/events`, { method: 'POST' })).status).toBe(400);
  });

  it('says clearly when the port is taken', async () => {
    const base = await serve(recordingRoutes().routes);
    const taken = Number(new URL(base).port);
    const second = createLocalHttpServer(() => undefined);
    servers.push(second);
    await expect(listen(second, taken, '127.0.0.1')).rejects.toThrow(
      `Port ${taken} on 127.0.0.1 is already in use`,
    );
    expect((second.address() as AddressInfo | null)?.port).toBeUndefined();
  });
});
