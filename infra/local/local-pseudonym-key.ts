import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { PseudonymKey } from '../../shared/ports';

/**
 * The local runtime's pseudonym key: generated once and kept in the data folder (readable by its owner
 * only), as the stack keeps its own in Secrets Manager. Losing it loses the registry's entries, not the
 * episodes: reports would then be matched as new children.
 */
export const localPseudonymKey = (file: string): PseudonymKey => {
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`${file} does not hold a pseudonym key: delete it to generate one`);
  return { key: async () => key };
};
