import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLocalActionsServer } from '../../../infra/local/local-actions-server';
import { listen } from '../../../infra/local/local-http-server';
import { localLinkKeys } from '../../../infra/local/local-link-keys';
import { createRateLimiter } from '../../../infra/local/rate-limiter';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});
const dir = mkdtempSync(join(tmpdir(), 'link-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serve = async (limit = { perMinute: 60, burst: 3 }) => {
  const events: APIGatewayProxyEventV2[] = [];
  const server = createLocalActionsServer(
    () => async (event) => {
      events.push(event);
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<h1>page</h1>',
      };
    },
    limit,
  );
  servers.push(server);
  return { base: `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`, events };
};

describe('the local action pages', () => {
  it('hand GET and POST /v1/actions to the handler as API Gateway would, the form body as sent', async () => {
    const { base, events } = await serve();
    expect((await fetch(`${base}/v1/actions?token=abc`)).status).toBe(200);
    await fetch(`${base}/v1/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=abc&type=rhi.completed',
    });
    expect(events.map((e) => [e.routeKey, e.rawPath, e.rawQueryString])).toEqual([
      ['GET /v1/actions', '/v1/actions', 'token=abc'],
      ['POST /v1/actions', '/v1/actions', ''],
    ]);
    const form = events[1]!;
    expect(Buffer.from(form.body ?? '', form.isBase64Encoded ? 'base64' : 'utf8').toString()).toBe(
      'token=abc&type=rhi.completed',
    );
  });

  it('answer any other path as the gateway would, and a client past its budget with 429 and a page', async () => {
    const { base } = await serve({ perMinute: 1, burst: 2 });
    expect((await fetch(`${base}/v1/sources/met-police/events`)).status).toBe(404);
    expect((await fetch(`${base}/v1/actions`)).status).toBe(200);
    expect((await fetch(`${base}/v1/actions`)).status).toBe(200);
    const busy = await fetch(`${base}/v1/actions`);
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('60');
    expect(busy.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await busy.text()).toContain('Too many requests');
  });
});

describe('a token bucket per client', () => {
  it('lets a burst through, then refills at its rate, each client on its own', () => {
    let now = 0;
    const limiter = createRateLimiter({ perMinute: 6, burst: 2, nowMs: () => now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 10_000;
    expect([limiter.take('a'), limiter.take('a')]).toEqual([true, false]);
  });
});

describe('the local link keys', () => {
  it('are generated once into the data folder, readable by its owner only, and kept across restarts', async () => {
    const file = join(dir, 'action-link-keys.json');
    const first = localLinkKeys({ env: {}, file });
    expect(first.origin).toBe('generated');
    const [key] = await first.keys();
    expect(key?.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await localLinkKeys({ env: {}, file }).keys()).toEqual([key]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([key]);
  });

  it('come from ACTION_LINK_KEYS when it is set: one key, or several while rotating', async () => {
    const keys = [
      'new-key-0123456789abcdefghijklmnopqrstuvwxyz',
      'old-key-0123456789abcdefghijklmnopqrstuvwxyz',
    ];
    const fromEnv = localLinkKeys({
      env: { ACTION_LINK_KEYS: JSON.stringify(keys) },
      file: join(dir, 'unused.json'),
    });
    expect([fromEnv.origin, await fromEnv.keys()]).toEqual(['environment', keys]);
    expect(() => localLinkKeys({ env: { ACTION_LINK_KEYS: 'short' }, file: join(dir, 'x.json') })).toThrow(
      /32/,
    );
  });
});
