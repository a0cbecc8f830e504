import { spawnSync } from 'node:child_process';

/**
 * Whether a command-line tool (moto_server, cfn-lint: Python tools these machines carry) can run here. A
 * test that needs one skips, saying so, where it is missing; under CI (`.ci/run`), where they must run,
 * a missing tool fails instead of skipping.
 */
export const toolAvailable = (command: string, args = ['--version']): boolean => {
  const found = spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 }).status === 0;
  if (found) return true;
  const why = `${command} is not installed (pip install ${command === 'moto_server' ? "'moto[server]'" : command})`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI must run the tests that need it`);
  console.warn(`skipped: ${why}`);
  return false;
};
