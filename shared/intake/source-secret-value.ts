import * as z from 'zod/mini';

const Secret = z.string().check(z.trim(), z.minLength(1));
const SecretValue = z.union([z.array(Secret).check(z.minLength(1)), Secret]);

/**
 * A source's secret as stored: a JSON array of the active `whsec_...` secrets (several while rotating) or
 * one secret as a plain string. Undefined when it holds neither.
 */
export const parseSourceSecretValue = (text: string): string[] | undefined => {
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: a single secret written as it is.
  }
  const parsed = SecretValue.safeParse(value);
  if (!parsed.success) return undefined;
  return typeof parsed.data === 'string' ? [parsed.data] : parsed.data;
};
