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
    expect(intakeEvents).toEqual([]);
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
