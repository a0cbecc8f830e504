import { parseSourceSecretValue } from '../intake/source-secret-value';
import type { SecretSource } from '../ports';

/** The variable that holds a source's secret locally: `WEBHOOK_SECRET_MET_POLICE` for `met-police`. */
export const sourceSecretVariable = (sourceId: string): string =>
  `WEBHOOK_SECRET_${sourceId.toUpperCase().replace(/-/g, '_')}`;

/** Source secrets from environment variables (local runs): one secret, or a JSON array while rotating. */
export class EnvSecretSource implements SecretSource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async secretsFor(sourceId: string): Promise<string[]> {
    const value = this.env[sourceSecretVariable(sourceId)];
    return (value && parseSourceSecretValue(value)) || [];
  }
}
