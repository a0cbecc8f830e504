import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localPseudonymKey } from '../../../infra/local/local-pseudonym-key';

const dirs: string[] = [];
const fileIn = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pseudonym-key-'));
  dirs.push(dir);
  return join(dir, 'pseudonym-key');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the local runtime's pseudonym key", () => {
  it('is generated once, readable by its owner only, and the same after a restart', async () => {
    const file = fileIn();
    const first = await localPseudonymKey(file).key();
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await localPseudonymKey(file).key()).toBe(first);
    expect(await localPseudonymKey(fileIn()).key()).not.toBe(first);
  });

  it('refuses a file that does not hold a key, rather than pseudonymise weakly', () => {
    const file = fileIn();
    writeFileSync(file, 'short\n');
    expect(() => localPseudonymKey(file)).toThrow('does not hold a pseudonym key');
  });
});
