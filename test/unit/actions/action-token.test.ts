import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  issueToken,
  LINK_LIFETIME_DAYS,
  linkEventId,
  linkKeyId,
  parseLinkKeys,
  verifyToken,
} from '../../../shared/actions/action-token';
import { addDays, addHours } from '../../../shared/time/instant';

const now = '2026-10-24T09:30:00.000Z';
const oldKey = 'old-key-0123456789abcdefghijklmnopqrstuvwxyz';
const newKey = 'new-key-0123456789abcdefghijklmnopqrstuvwxyz';
const grant = {
  episodeId: '0b6f4f5e-2b7a-4c36-9f0e-5a1d2c3b4a59',
  step: 'return_home_interview',
  agencyId: 'exploitation-service',
} as const;
const token = issueToken(grant, newKey, now);

/** The token with its payload replaced by these fields, keeping the signature: what a forger can do. */
const withPayload = (fields: string[]) => {
  const [, signature] = token.split('.');
  return `${Buffer.from(fields.join('~')).toString('base64url')}.${signature}`;
};
const fieldsOf = (t: string) => Buffer.from(t.split('.')[0]!, 'base64url').toString('utf8').split('~');

describe('an action link token', () => {
  it('binds the episode, the step, the recipient agency and an expiry 14 days on, and nothing else', () => {
    expect(verifyToken(token, [newKey], now)).toEqual({
      ok: true,
      grant: { ...grant, expiresAt: addDays(now, LINK_LIFETIME_DAYS) },
      keyId: linkKeyId(newKey),
    });
    // Ids, a time and the key's id: no name, date of birth or reference can be in a link.
    expect(fieldsOf(token)).toEqual([
      grant.episodeId,
      grant.step,
      grant.agencyId,
      (Date.parse(addDays(now, 14)) / 1000).toString(36),
      linkKeyId(newKey),
    ]);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(200);
  });

  it('works until its expiry and not from that second on', () => {
    const lastSecond = new Date(Date.parse(addDays(now, 14)) - 1000).toISOString();
    expect(verifyToken(token, [newKey], lastSecond).ok).toBe(true);
    expect(verifyToken(token, [newKey], addDays(now, 14))).toEqual({ ok: false, problem: 'expired' });
    expect(verifyToken(token, [newKey], addDays(now, 30))).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses a token whose grant was changed, even to one that names a real episode, step or agency', () => {
    const [episodeId, step, agencyId, expires, keyId] = fieldsOf(token) as [string, ...string[]];
    const later = (Date.parse(addDays(now, 60)) / 1000).toString(36);
    for (const fields of [
      ['1b6f4f5e-2b7a-4c36-9f0e-5a1d2c3b4a59', step, agencyId, expires, keyId],
      [episodeId, 'prevention_interview', agencyId, expires, keyId],
      [episodeId, step, 'met-police', expires, keyId],
      [episodeId, step, agencyId, later, keyId],
    ]) {
      expect(verifyToken(withPayload(fields as string[]), [newKey], now)).toEqual({
        ok: false,
        problem: 'tampered',
      });
    }
    // An expiry moved on is tampering, even once the real one has passed.
    expect(
      verifyToken(withPayload([episodeId, step!, agencyId!, later, keyId!]), [newKey], addDays(now, 20)),
    ).toEqual({ ok: false, problem: 'tampered' });
  });

  it('refuses a token with any one character changed', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), (at, character) => {
        fc.pre(token[at] !== character);
        const changed = `${token.slice(0, at)}${character}${token.slice(at + 1)}`;
        expect(verifyToken(changed, [newKey], now).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what is not a token at all, without decoding it', () => {
    for (const bad of ['', 'x', `${token}.x`, `${token}x`, token.replace('.', ''), 'a'.repeat(5000)]) {
      expect(verifyToken(bad, [newKey], now)).toEqual({ ok: false, problem: 'malformed' });
    }
    const [, , , expires, keyId] = fieldsOf(token);
    expect(
      verifyToken(
        withPayload([grant.episodeId, 'make_tea', grant.agencyId, expires!, keyId!]),
        [newKey],
        now,
      ),
    ).toEqual({ ok: false, problem: 'malformed' });
  });

  it('verifies with every key of the ring, so a rotated key keeps its links working while they live', () => {
    const signedBefore = issueToken(grant, oldKey, now);
    const later = addHours(now, 1);
    expect(verifyToken(signedBefore, [newKey, oldKey], later).ok).toBe(true);
    expect(verifyToken(token, [newKey, oldKey], later).ok).toBe(true);
    // Once the old key is dropped, its links are refused as signed by a key the pipeline no longer holds.
    expect(verifyToken(signedBefore, [newKey], later)).toEqual({ ok: false, problem: 'unknown-key' });
    // A key the pipeline never held verifies nothing.
    expect(verifyToken(token, [oldKey], now)).toEqual({ ok: false, problem: 'unknown-key' });
  });

  it('reads a key ring as one key or a JSON array of keys, current first, and refuses short keys', () => {
    expect(parseLinkKeys(newKey)).toEqual([newKey]);
    expect(parseLinkKeys(JSON.stringify([newKey, oldKey]))).toEqual([newKey, oldKey]);
    expect(() => parseLinkKeys('short')).toThrow(/at least 32 characters/);
    expect(() => parseLinkKeys('[]')).toThrow(/neither a key nor a JSON array/);
  });
});

describe("the event id of a link's submission", () => {
  it('is the same for every submission through one link, and differs between links', () => {
    const id = linkEventId(token, 'return_home_interview');
    expect(linkEventId(token, 'return_home_interview')).toBe(id);
    expect(linkEventId(issueToken(grant, newKey, addHours(now, 1)), 'return_home_interview')).not.toBe(id);
    // A CloudEvents id the wire contract accepts.
    expect(id).toMatch(/^[A-Za-z0-9_.:-]{1,200}$/);
  });
});
