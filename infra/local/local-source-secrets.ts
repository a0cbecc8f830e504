import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/** The environment variable that holds a source's secret locally: `WEBHOOK_SECRET_MET_POLICE` for `met-police`. */
export const sourceSecretVariable = (sourceId: string): string =>
  `WEBHOOK_SECRET_${sourceId.toUpperCase().replace(/-/g, '_')}`;

export interface LocalSourceSecret {
  sourceId: string;
  variable: string;
  secret: string;
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
    if (fromEnv) return { sourceId, variable, secret: fromEnv, origin: 'environment' };
    kept[sourceId] ??= generateSecret();
    return { sourceId, variable, secret: kept[sourceId], origin: 'generated' };
  });
  writeFileSync(options.file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  return secrets;
};
