import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { checkedPseudonymKey } from '../children/child-pseudonyms';
import type { PseudonymKey } from '../ports';

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
    return checkedPseudonymKey(SecretString);
  }
}
