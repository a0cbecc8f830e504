import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseLinkKeys } from '../../shared/actions/action-token';
import type { LinkKeySource } from '../../shared/ports';

/** The variable that sets the local link keys: one key, or a JSON array of keys, the first signing. */
export const LINK_KEYS_VARIABLE = 'ACTION_LINK_KEYS';
/** The file in the data folder that keeps the generated keys when the variable is not set. */
export const LINK_KEYS_FILE = 'action-link-keys.json';

export interface LocalLinkKeys extends LinkKeySource {
  origin: 'environment' | 'generated';
}

/**
 * The keys the local runtime signs its emails' links with: from ACTION_LINK_KEYS when set, else generated
 * once and kept in the data folder (action-link-keys.json, readable by its owner only), so the links in the
 * outbox keep working across restarts, as they do across deployments in AWS.
 */
export const localLinkKeys = (options: { env: NodeJS.ProcessEnv; file: string }): LocalLinkKeys => {
  const fromEnv = options.env[LINK_KEYS_VARIABLE];
  if (fromEnv) {
    const keys = parseLinkKeys(fromEnv);
    return { origin: 'environment', keys: async () => keys };
  }
  if (!existsSync(options.file)) {
    writeFileSync(options.file, `${JSON.stringify([randomBytes(32).toString('base64url')])}\n`, {
      mode: 0o600,
    });
  }
  const keys = parseLinkKeys(readFileSync(options.file, 'utf8').trim());
  return { origin: 'generated', keys: async () => keys };
};
