import { parseLinkKeys } from '../actions/action-token';
import type { LinkKeySource } from '../ports';
import { secretFromExtension } from './secrets-extension';

/** How long a container keeps the keys it read before asking the extension (which caches too) again. */
const KEEP_MS = 60_000;

/**
 * The action-link keys from Secrets Manager, through the Parameters and Secrets extension (every bundle that
 * emails signs links, and none has room for a Secrets Manager client). The extension caches the secret for a
 * minute (the stack's setting) and the container for a minute more; a refresh skips the container's copy only.
 */
export class SecretsExtensionLinkKeys implements LinkKeySource {
  private cached?: { keys: Promise<string[]>; at: number };

  constructor(
    private readonly secretId: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly nowMs: () => number = Date.now,
  ) {}

  keys(options: { refresh?: boolean } = {}): Promise<string[]> {
    if (this.cached && !options.refresh && this.nowMs() - this.cached.at < KEEP_MS) return this.cached.keys;
    const keys = this.read();
    this.cached = { keys, at: this.nowMs() };
    // A failed read is not kept: the next call asks again.
    keys.catch(() => {
      this.cached = undefined;
    });
    return keys;
  }

  private async read(): Promise<string[]> {
    return parseLinkKeys(await secretFromExtension(this.secretId, this.env));
  }
}
