import type { CouncilConfig } from '../council/council-schema';
import { assertProductionReady, CouncilConfigError, parseCouncil } from '../council/load-council';

/**
 * The council a function serves. In Lambda, COUNCIL_CONFIG is the council file inlined into the bundle
 * at build time (esbuild `define`: a council file is larger than Lambda's 4 KB environment); locally and
 * in tests it is an ordinary environment variable. A production deployment refuses placeholder inboxes.
 */
export const councilFromEnv = (env: NodeJS.ProcessEnv = process.env): CouncilConfig => {
  // esbuild's `define` replaces only the literal `process.env.COUNCIL_CONFIG`, never `env.COUNCIL_CONFIG`.
  const raw = env === process.env ? process.env.COUNCIL_CONFIG : env.COUNCIL_CONFIG;
  if (!raw) throw new CouncilConfigError('COUNCIL_CONFIG is not set: it must hold the council file as JSON');
  const council = parseCouncil(JSON.parse(raw), 'COUNCIL_CONFIG');
  return env.STAGE === 'production' ? assertProductionReady(council) : council;
};
