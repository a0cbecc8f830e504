import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/bench-report';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Every hop the issue asks for, and the figure of each that has a target. */
const expected = [
  ['store: raw PutItem', 'throughput'],
  ['intake (in-process)', 'raw writes/s / intake events/s'],
  ['cold start: intake', 'bundle (minified)'],
  ['cold start: notify', 'init / SDK-only init'],
  ['cold start: reminder', 'init / SDK-only init'],
  ['cold start: sweep', 'bundle (minified)'],
  ['end to end: steady 10/s', '202 -> last email p99'],
  ['end to end: burst, 50 in flight', '202 -> last email p99'],
  ['deadlines: falling due in real time', 'lateness p99'],
  ['deadlines: after a clock advance', 'lateness p99'],
] as const;

describe('npm run bench -- --quick', () => {
  it('measures every hop with tiny counts, prints each figure beside its target and writes the same figures as JSON', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [tsxCli, 'bench/run.ts', '--quick', '--out', outDir],
      { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
    );
    const files = readdirSync(outDir).filter((name) => /^bench-.*\.json$/.test(name));
    expect(files).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(outDir, files[0]!), 'utf8')) as BenchReport;

    expect(report.quick).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.cpuModel).not.toBe('');
    expect(report.machine.node).toBe(process.version);
    for (const [hop, name] of expected) {
      const figure = report.figures.find((f) => f.hop === hop && f.name === name);
      expect(figure, `${hop}: ${name}`).toBeDefined();
      expect(Number.isFinite(figure!.value), `${hop}: ${name} is a number`).toBe(true);
      expect(stdout).toContain(hop);
    }
    for (const figure of report.figures.filter((f) => f.target)) {
      expect(['PASS', 'MISS']).toContain(figure.verdict);
      expect(stdout).toMatch(new RegExp(`${figure.name.replace(/[/()]/g, '\\$&')}.*${figure.verdict}`));
    }
  }, 300_000);
});
