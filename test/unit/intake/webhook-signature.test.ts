import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeaders, verifySignature } from '../../../shared/intake/webhook-signature';
import { newSecret } from '../../functions/intake/signed-request';

const text = '{"id":"evt-1"}';
const body = Buffer.from(text);
const headersFor = (secret: string, signedAt = new Date(), signedBody = text) => ({
  'webhook-id': 'evt-1',
  'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign('evt-1', signedAt, signedBody),
});

describe('webhook signature', () => {
  it('signs as a source does: the library verifies it, and the intake accepts it', () => {
    const secret = newSecret();
    const headers = signatureHeaders(secret, 'evt-1', text, new Date());
    expect(headers['webhook-id']).toBe('evt-1');
    expect(new Webhook(secret).verify(text, headers)).toEqual(JSON.parse(text));
    expect(verifySignature(body, headers, [secret])).toEqual({ ok: true });
    expect(verifySignature(Buffer.from(`${text} `), headers, [secret])).toMatchObject({ ok: false });
  });

  it('verifies against any one of the active secrets', () => {
    const [old, current] = [newSecret(), newSecret()];
    expect(verifySignature(body, headersFor(current), [old, current])).toEqual({ ok: true });
  });

  it('tries every signature the sender lists', () => {
    const secret = newSecret();
    const headers = headersFor(secret);
    const listed = { ...headers, 'webhook-signature': `v1,bm90LXRoaXMtb25l ${headers['webhook-signature']}` };
    expect(verifySignature(body, listed, [secret])).toEqual({ ok: true });
  });

  it('skips a malformed secret and still verifies with a good one', () => {
    const secret = newSecret();
    expect(verifySignature(body, headersFor(secret), ['whsec_', secret])).toEqual({ ok: true });
  });

  it('refuses a timestamp more than five minutes in the future', () => {
    const secret = newSecret();
    const check = verifySignature(body, headersFor(secret, new Date(Date.now() + 6 * 60_000)), [secret]);
    expect(check).toMatchObject({ ok: false, issue: { field: 'webhook-timestamp' } });
  });

  it('refuses every delivery of a source with no secrets', () => {
    expect(verifySignature(body, headersFor(newSecret()), [])).toMatchObject({
      ok: false,
      issue: { field: 'webhook-signature' },
    });
  });

  it('verifies the exact bytes: a body that is not UTF-8 signed as sent passes, its U+FFFD-replaced text does not', () => {
    const secret = newSecret();
    const bytes = Buffer.concat([
      Buffer.from('{"id":"evt-1","x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const signedAt = new Date();
    const timestamp = String(Math.floor(signedAt.getTime() / 1000));
    // The Standard Webhooks definition: HMAC-SHA256 of "{id}.{timestamp}.{body bytes}".
    const hmac = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`evt-1.${timestamp}.`)
      .update(bytes)
      .digest('base64');
    const headers = {
      'webhook-id': 'evt-1',
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${hmac}`,
    };
    expect(verifySignature(bytes, headers, [secret])).toEqual({ ok: true });
    const replaced = headersFor(secret, signedAt, bytes.toString('utf8'));
    expect(verifySignature(bytes, replaced, [secret])).toMatchObject({
      ok: false,
      issue: { field: 'webhook-signature' },
    });
  });

  it.each([
    ['1764590000abc', 'letters after the digits'],
    ['-1764590000', 'a sign'],
    [' 1764590000', 'a space'],
    ['1764590000.5', 'a fraction'],
    ['', 'nothing'],
  ])('refuses a webhook-timestamp of %j (%s), naming webhook-timestamp', (timestamp) => {
    const secret = newSecret();
    const headers = { ...headersFor(secret), 'webhook-timestamp': timestamp };
    expect(verifySignature(body, headers, [secret])).toMatchObject({
      ok: false,
      issue: { field: 'webhook-timestamp' },
    });
  });

  it('names the header that is missing', () => {
    const secret = newSecret();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const headers: Record<string, string | undefined> = { ...headersFor(secret) };
      delete headers[name];
      expect(verifySignature(body, headers, [secret]), name).toMatchObject({
        ok: false,
        issue: { field: name },
      });
    }
  });
});
