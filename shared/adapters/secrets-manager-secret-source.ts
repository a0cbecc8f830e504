import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseSourceSecretValue } from '../intake/source-secret-value';
import type { SecretSource } from '../ports';

/**
 * A failed verification may re-read a source's secret at most this often, so bad requests cannot flood
 * Secrets Manager. Rotation keeps the old and new secrets active together for longer than this.
 */
const MIN_REFRESH_INTERVAL_MS = 30_000;

/**
 * Source secrets from Secrets Manager (`<prefix><sourceId>`: a JSON array of active `whsec_...` secrets, or one),
 * cached for the container's life and re-read on request after a failed verification (a rotation).
 */
export class SecretsManagerSecretSource implements SecretSource {
  private readonly cache = new Map<string, { secrets: Promise<string[]>; readAt: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  secretsFor(sourceId: string, options: { refresh?: boolean } = {}): Promise<string[]> {
    const cached = this.cache.get(sourceId);
    const fresh = cached && this.nowMs() - cached.readAt < MIN_REFRESH_INTERVAL_MS;
    if (cached && (!options.refresh || fresh)) return cached.secrets;
    const secrets = this.read(sourceId);
    this.cache.set(sourceId, { secrets, readAt: this.nowMs() });
    // A failed read is not cached: the next request tries again.
    secrets.catch(() => this.cache.delete(sourceId));
    return secrets;
  }

  private async read(sourceId: string): Promise<string[]> {
    try {
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: `${this.prefix}${sourceId}` }),
      );
      const secrets = SecretString ? parseSourceSecretValue(SecretString) : undefined;
      if (!secrets)
        throw new Error(`the secret of source ${sourceId} is neither a JSON array of secrets nor one secret`);
      return secrets;
    } catch (error) {
      // No secret for this source: nothing it sends can verify (401), which is not the pipeline's failure.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return [];
      throw error;
    }
  }
}
