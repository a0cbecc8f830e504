import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import type { CouncilConfig } from '../council/council-schema';
import { assertReadyToSend, CouncilConfigError, parseCouncil, sendingStages } from '../council/load-council';

const packed = 'br:';

/**
 * The council file without what only people read (each routing rule's why, each deadline's basis, which the
 * README states): nothing at run time reads them, and every function's bundle carries the council.
 */
export const councilAsBundled = (council: CouncilConfig): CouncilConfig => ({
  ...council,
  routing: council.routing.map(({ why: _reader, ...rule }) => rule),
  deadlines: Object.fromEntries(
    Object.entries(council.deadlines).map(([kind, { basis: _readme, ...policy }]) => [kind, policy]),
  ) as CouncilConfig['deadlines'],
});

/**
 * The council file as a bundle carries it: Brotli-compressed and base64-encoded behind a `br:` prefix. A
 * council file's rules are mostly prose (about 24 KB), a quarter of that packed: every function's bundle
 * stays small however many rules a council writes.
 */
export const packCouncil = (council: CouncilConfig): string =>
  `${packed}${brotliCompressSync(JSON.stringify(councilAsBundled(council))).toString('base64')}`;

const unpack = (raw: string): string =>
  raw.startsWith(packed)
    ? brotliDecompressSync(Buffer.from(raw.slice(packed.length), 'base64')).toString('utf8')
    : raw;

/**
 * The council a function serves. In Lambda, COUNCIL_CONFIG is the council file inlined into the bundle
 * at build time (esbuild `define`, packed: a council file is larger than Lambda's 4 KB environment); locally
 * and in tests it is an ordinary environment variable holding the JSON. A staging or production stage
 * refuses a council file it could not send from (a placeholder sending domain, no test inbox, placeholder
 * inboxes or phone numbers in production).
 */
export const councilFromEnv = (env: NodeJS.ProcessEnv = process.env): CouncilConfig => {
  // esbuild's `define` replaces only the literal `process.env.COUNCIL_CONFIG`, never `env.COUNCIL_CONFIG`.
  const raw = env === process.env ? process.env.COUNCIL_CONFIG : env.COUNCIL_CONFIG;
  if (!raw) throw new CouncilConfigError('COUNCIL_CONFIG is not set: it must hold the council file as JSON');
  const council = parseCouncil(JSON.parse(unpack(raw)), 'COUNCIL_CONFIG');
  const stage = sendingStages.find((s) => s === env.STAGE);
  return stage ? assertReadyToSend(council, stage) : council;
};
