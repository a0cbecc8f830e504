import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeaders, verifySignature } from '../../../shared/intake/webhook-signature';
import { newSecret } from '../../functions/intake/signed-request';

const body = '{"id":"evt-1"}';
const headersFor = (secret: string, signedAt = new Date(), signedBody = body) => ({
  'webhook-id': 'evt-1',
  'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign('evt-1', signedAt, signedBody),
});

describe('webhook signature', () => {
  it('signs as a source does: the library verifies it, and the intake accepts it', () => {
    const secret = newSecret();
    const headers = signatureHeaders(secret, 'evt-1', body, new Date());
    expect(headers['webhook-id']).toBe('evt-1');
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(verifySignature(body, headers, [secret])).toEqual({ ok: true });
    expect(verifySignature(`${body} `, headers, [secret])).toMatchObject({ ok: false });
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
});
