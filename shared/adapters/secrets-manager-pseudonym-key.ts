import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PseudonymKey } from '../ports';

/** A key shorter than this is not the stack's generated one: refuse it rather than pseudonymise weakly. */
const MIN_KEY_LENGTH = 32;

/**
 * The registry's pseudonym key from Secrets Manager (the secret the council's stack generates), read once per
 * container like the source secrets; a failed read is not cached, so the next request tries again.
 */
export class SecretsManagerPseudonymKey implements PseudonymKey {
  private cached: Promise<string> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  key(): Promise<string> {
    if (!this.cached) {
      const read = this.read();
      this.cached = read;
      read.catch(() => {
        if (this.cached === read) this.cached = undefined;
      });
    }
    return this.cached;
  }

  private async read(): Promise<string> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (!SecretString || SecretString.length < MIN_KEY_LENGTH) {
      throw new Error(`the pseudonym key secret holds fewer than ${MIN_KEY_LENGTH} characters`);
    }
    return SecretString;
  }
}
