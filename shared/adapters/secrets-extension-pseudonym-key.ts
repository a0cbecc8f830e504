import { checkedPseudonymKey } from '../children/child-pseudonyms';
import type { PseudonymKey } from '../ports';
import { secretFromExtension } from './secrets-extension';

/**
 * The registry's pseudonym key through the Parameters and Secrets extension, for a function that commits
 * events without a Secrets Manager client of its own (the action pages). Read only when a report is
 * committed; the extension caches it.
 */
export class SecretsExtensionPseudonymKey implements PseudonymKey {
  constructor(
    private readonly secretId: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async key(): Promise<string> {
    return checkedPseudonymKey(await secretFromExtension(this.secretId, this.env));
  }
}
