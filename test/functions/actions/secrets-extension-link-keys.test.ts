import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsExtensionLinkKeys } from '../../../shared/adapters/secrets-extension-link-keys';

/**
 * The AWS Parameters and Secrets Lambda Extension's HTTP interface, as its documentation gives it:
 * GET /secretsmanager/get?secretId=..., authorised by the X-Aws-Parameters-Secrets-Token header (the
 * function's AWS_SESSION_TOKEN), answering GetSecretValue's JSON.
 */
const secrets: Record<string, string> = {
  'arn:aws:secretsmanager:eu-west-2:123456789012:secret:link-key': JSON.stringify([
    'current-key-0123456789abcdefghijklmnopqrstuvwxyz',
    'previous-key-0123456789abcdefghijklmnopqrstuvwxyz',
  ]),
  'too-short': 'abc',
};
const asked: string[] = [];
let server: Server;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    asked.push(`${request.headers['x-aws-parameters-secrets-token']} ${url.pathname}`);
    if (request.headers['x-aws-parameters-secrets-token'] !== 'session-token') {
      response.writeHead(401).end('not authorised');
      return;
    }
    const value = secrets[url.searchParams.get('secretId') ?? ''];
    if (url.pathname !== '/secretsmanager/get' || value === undefined) {
      response.writeHead(400).end('ResourceNotFoundException');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ Name: 'link-key', SecretString: value, VersionStages: ['AWSCURRENT'] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  env = {
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((server.address() as AddressInfo).port),
    AWS_SESSION_TOKEN: 'session-token',
  };
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('the link keys, read through the Parameters and Secrets extension', () => {
  it("asks the extension on localhost with the function's session token, and reads the key ring", async () => {
    const keys = new SecretsExtensionLinkKeys(
      'arn:aws:secretsmanager:eu-west-2:123456789012:secret:link-key',
      env,
    );
    expect(await keys.keys()).toEqual([
      'current-key-0123456789abcdefghijklmnopqrstuvwxyz',
      'previous-key-0123456789abcdefghijklmnopqrstuvwxyz',
    ]);
    expect(asked.at(-1)).toBe('session-token /secretsmanager/get');
  });

  it('fails, naming the status, when the extension refuses, and refuses a key too short to sign with', async () => {
    await expect(new SecretsExtensionLinkKeys('no-such-secret', env).keys()).rejects.toThrow(
      'the secrets extension answered 400',
    );
    await expect(
      new SecretsExtensionLinkKeys('arn:x', { ...env, AWS_SESSION_TOKEN: 'stolen' }).keys(),
    ).rejects.toThrow('answered 401');
    await expect(new SecretsExtensionLinkKeys('too-short', env).keys()).rejects.toThrow(
      /at least 32 characters/,
    );
  });
});
