import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { sourceSecretVariable } from '../../shared/adapters/env-secret-source';
import { parseSourceSecretValue } from '../../shared/intake/source-secret-value';

export interface LocalSourceSecret {
  sourceId: string;
  variable: string;
  /** The active secrets, the one to sign with first (a variable may hold a JSON array while rotating). */
  secrets: string[];
  origin: 'environment' | 'generated';
}

const SecretsFile = z.record(z.string(), z.string().startsWith('whsec_'));

const generateSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * One secret per source: from its WEBHOOK_SECRET_ variable when set, else generated once and kept in the
 * data folder, so a restart keeps the secrets that senders were given.
 */
export const localSourceSecrets = (
  sourceIds: string[],
  options: { env: NodeJS.ProcessEnv; file: string },
): LocalSourceSecret[] => {
  const kept = existsSync(options.file)
    ? SecretsFile.parse(JSON.parse(readFileSync(options.file, 'utf8')))
    : {};
  const secrets = sourceIds.map((sourceId): LocalSourceSecret => {
    const variable = sourceSecretVariable(sourceId);
    const fromEnv = options.env[variable];
    if (fromEnv) {
      const secrets = parseSourceSecretValue(fromEnv);
      if (!secrets) throw new Error(`${variable} must hold a whsec_ secret or a JSON array of them`);
      return { sourceId, variable, secrets, origin: 'environment' };
    }
    kept[sourceId] ??= generateSecret();
    return { sourceId, variable, secrets: [kept[sourceId]], origin: 'generated' };
  });
  writeFileSync(options.file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  return secrets;
};

/** The secrets as the variables EnvSecretSource reads, generated ones included. */
export const secretVariables = (secrets: LocalSourceSecret[]): Record<string, string> =>
  Object.fromEntries(secrets.map((s) => [s.variable, JSON.stringify(s.secrets)]));
