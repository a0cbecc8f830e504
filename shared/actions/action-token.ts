import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parseSourceSecretValue } from '../intake/source-secret-value';
import { addDays } from '../time/instant';
import { StepKind } from './step-kinds';

/** The longest a link in an email works: a fortnight covers every deadline it can ask for, and then some. */
export const LINK_LIFETIME_DAYS = 14;

/** A key shorter than this is refused: the stack generates 64 characters, the local runtime 43. */
const MIN_KEY_LENGTH = 32;

/**
 * What a link lets its holder do: record one step of one episode, in the name of the agency its email went
 * to, until it expires. Ids only: nothing about the child is in a link.
 */
export interface ActionGrant {
  episodeId: string;
  step: StepKind;
  agencyId: string;
  /** When the link stops working (UTC, to the second). */
  expiresAt: string;
}

/** Why a token is refused: the page says "not valid" for all but an expiry, which it says as such. */
export type TokenProblem = 'malformed' | 'unknown-key' | 'tampered' | 'expired';

export type TokenCheck =
  | { ok: true; grant: ActionGrant; keyId: string }
  | { ok: false; problem: TokenProblem };

/**
 * The signing keys: the first signs, each verifies, so a key is rotated by putting the new one first and
 * keeping the old one for a link's lifetime. A secret holds one key, or a JSON array of them.
 */
export const parseLinkKeys = (text: string): string[] => {
  const keys = parseSourceSecretValue(text);
  if (!keys) throw new Error('the action-link key secret holds neither a key nor a JSON array of keys');
  if (keys.some((key) => key.length < MIN_KEY_LENGTH)) {
    throw new Error(`every action-link key must be at least ${MIN_KEY_LENGTH} characters`);
  }
  return keys;
};

/** A key's id in a token: which key signed it, without saying anything of the key. */
export const linkKeyId = (key: string): string =>
  createHash('sha256').update(`action-link-key:${key}`).digest('base64url').slice(0, 8);

const VERSION = 'v1';
const FIELD = '~';
/** A token far longer than any this issues is refused before anything is decoded. */
const MAX_TOKEN_LENGTH = 400;

const mac = (key: string, payload: string): Buffer =>
  createHmac('sha256', key).update(`${VERSION}.${payload}`).digest();

const fieldPatterns = {
  episodeId: /^[0-9A-Za-z-]{1,64}$/,
  agencyId: /^[a-z0-9]+(-[a-z0-9]+)*$/,
  expiresAt: /^[0-9a-z]{1,12}$/,
  keyId: /^[A-Za-z0-9_-]{8}$/,
};

/**
 * A link's token: the grant and the signing key's id, base64url, then an HMAC-SHA-256 over them under that
 * key, base64url. It expires `LINK_LIFETIME_DAYS` after `now`.
 */
export const issueToken = (grant: Omit<ActionGrant, 'expiresAt'>, key: string, now: string): string => {
  const expiresAt = Math.floor(Date.parse(addDays(now, LINK_LIFETIME_DAYS)) / 1000);
  const payload = Buffer.from(
    [grant.episodeId, grant.step, grant.agencyId, expiresAt.toString(36), linkKeyId(key)].join(FIELD),
  ).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
};

/**
 * Checks a token against the keys: its shape, the key that signed it, the signature (compared in constant
 * time), then its expiry, in that order, so a token altered to live longer is "tampered", never "expired".
 */
export const verifyToken = (token: string, keys: readonly string[], now: string): TokenCheck => {
  const refuse = (problem: TokenProblem): TokenCheck => ({ ok: false, problem });
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/.test(token)) {
    return refuse('malformed');
  }
  const [payload = '', signature = ''] = token.split('.');
  const [episodeId = '', step = '', agencyId = '', expires = '', keyId = '', ...rest] = Buffer.from(
    payload,
    'base64url',
  )
    .toString('utf8')
    .split(FIELD);
  const parsedStep = StepKind.safeParse(step);
  if (
    rest.length > 0 ||
    !parsedStep.success ||
    !fieldPatterns.episodeId.test(episodeId) ||
    !fieldPatterns.agencyId.test(agencyId) ||
    !fieldPatterns.expiresAt.test(expires) ||
    !fieldPatterns.keyId.test(keyId)
  ) {
    return refuse('malformed');
  }
  const key = keys.find((k) => linkKeyId(k) === keyId);
  if (!key) return refuse('unknown-key');
  // Compared as text: base64url's last character has spare bits, and a second spelling of one signature
  // would be a second token (a second event id) for one link.
  const expected = Buffer.from(mac(key, payload).toString('base64url'));
  if (!timingSafeEqual(expected, Buffer.from(signature))) return refuse('tampered');
  const expiresAt = new Date(Number.parseInt(expires, 36) * 1000).toISOString();
  if (Date.parse(expiresAt) <= Date.parse(now)) return refuse('expired');
  return { ok: true, grant: { episodeId, step: parsedStep.data, agencyId, expiresAt }, keyId };
};

/**
 * The id of the event a link records: the same for every submission through one link, so a second
 * submission (a double click, the back button) is answered as the duplicate it is.
 */
export const linkEventId = (token: string, step: StepKind): string =>
  `link-${createHash('sha256').update(`${step}:${token}`).digest('base64url').slice(0, 32)}`;
