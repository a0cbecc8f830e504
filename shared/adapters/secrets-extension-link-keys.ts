import { parseLinkKeys } from '../actions/action-token';
import type { LinkKeySource } from '../ports';
import { secretFromExtension } from './secrets-extension';

/**
 * The action-link keys from Secrets Manager, through the Parameters and Secrets extension (every bundle that
 * emails signs links, and none has room for a Secrets Manager client). The extension caches the secret (for a
 * minute, the stack's setting), so a call costs a millisecond and a rotated key is read within the minute.
 */
export class SecretsExtensionLinkKeys implements LinkKeySource {
  constructor(
    private readonly secretId: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async keys(): Promise<string[]> {
    return parseLinkKeys(await secretFromExtension(this.secretId, this.env));
  }
}
