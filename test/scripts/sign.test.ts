import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { eventExamples } from '../../shared/openapi/wire-examples';

const run = promisify(execFile);
const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const signScript = new URL('../../scripts/sign.ts', import.meta.url).pathname;
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const eventFile = (body: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'sign-')), 'event.json');
  writeFileSync(file, body);
  return file;
};

const sign = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(tsx, [signScript, ...args], { env: { ...process.env, ...env } });

const headerLines = (stdout: string) =>
  Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split(': ', 2) as [string, string]),
  );

describe('npm run sign', () => {
  // An apostrophe and a line break in the body test the curl command's quoting.
  const body = `${JSON.stringify({ ...eventExamples['episode.withdrawn'], data: { episodeRef: 'MP/2026/1', reason: "at a friend's house" } }, null, 2)}\n`;

  it('prints the three headers, which verify against the body with the same secret', async () => {
    const { stdout } = await sign(['--source', 'met-police', '--secret', secret, '--file', eventFile(body)]);
    const headers = headerLines(stdout);
    expect(Object.keys(headers)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    expect(headers['webhook-id']).toBe(eventExamples['episode.withdrawn'].id);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook('whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldA==').verify(body, headers)).toThrow();
  });

  it('takes the secret from WEBHOOK_SECRET_<SOURCE_ID> when none is given', async () => {
    const { stdout } = await sign(['--source', 'met-police', '--file', eventFile(body)], {
      WEBHOOK_SECRET_MET_POLICE: secret,
    });
    expect(new Webhook(secret).verify(body, headerLines(stdout))).toEqual(JSON.parse(body));
  });

  it('prints a curl command that posts the exact body, signed, to the source’s endpoint', async () => {
    const received: { url?: string; headers: Record<string, string>; body: string }[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          url: request.url,
          headers: request.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { stdout } = await sign([
        '--source',
        'met-police',
        '--secret',
        secret,
        '--file',
        eventFile(body),
        '--curl',
        '--url',
        url,
      ]);
      // A proxy from the environment must not carry a loopback request.
      await run('sh', ['-c', stdout], { env: { ...process.env, NO_PROXY: '*', no_proxy: '*' } });
      const [request] = received;
      expect(request?.url).toBe('/v1/sources/met-police/events');
      expect(request?.body).toBe(body);
      expect(new Webhook(secret).verify(request?.body ?? '', request?.headers ?? {})).toEqual(
        JSON.parse(body),
      );
    } finally {
      server.close();
    }
  });

  it('refuses a file that is not JSON', async () => {
    await expect(
      sign(['--source', 'met-police', '--secret', secret, '--file', eventFile('not json')]),
    ).rejects.toThrow(/is not JSON/);
  });
});
