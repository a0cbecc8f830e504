import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './machine';

/** A limit a figure must stay within: `at most` for times and sizes, `at least` for throughput. */
export interface Target {
  atMost?: number;
  atLeast?: number;
}

export interface Figure {
  hop: string;
  name: string;
  value: number;
  unit: string;
  target?: Target;
  /** What the figure means or why it is what it is, printed beside it. */
  note?: string;
}

export type Verdict = 'PASS' | 'MISS' | '';

export interface JudgedFigure extends Figure {
  verdict: Verdict;
}

export interface BenchReport {
  takenAt: string;
  quick: boolean;
  machine: Machine;
  figures: JudgedFigure[];
}

export const judge = (figure: Figure): JudgedFigure => {
  const { target, value } = figure;
  if (!target) return { ...figure, verdict: '' };
  const within =
    (target.atMost === undefined || value <= target.atMost) &&
    (target.atLeast === undefined || value >= target.atLeast);
  return { ...figure, verdict: within ? 'PASS' : 'MISS' };
};

const rounded = (value: number) =>
  Number.isInteger(value) || Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
      ? value.toFixed(1)
      : value.toFixed(2);

const targetText = ({ target, unit }: Figure) => {
  if (!target) return '';
  const parts = [
    ...(target.atLeast !== undefined ? [`>= ${target.atLeast} ${unit}`] : []),
    ...(target.atMost !== undefined ? [`<= ${target.atMost} ${unit}`] : []),
  ];
  return parts.join(', ');
};

const machineLine = (machine: Machine) =>
  `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}, load ${machine.loadAverage1m} at start`;

/** A plain-text table, one figure a line, its target and verdict beside it, then the notes. */
export const formatTable = (report: BenchReport): string => {
  const header = ['hop', 'figure', 'value', 'target', '', 'note'];
  const lines = report.figures.map((f) => [
    f.hop,
    f.name,
    `${rounded(f.value)} ${f.unit}`,
    targetText(f),
    f.verdict,
    f.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    `Benchmarks ${report.takenAt}${report.quick ? ' (quick: counts too small to mean anything)' : ''}`,
    `Machine: ${machineLine(report.machine)}`,
    '',
    row(header),
    row(widths.map((w) => '-'.repeat(w))),
    ...lines.map(row),
  ].join('\n');
};

/** The same figures as a Markdown table, for the README's benchmarks section. */
export const formatMarkdown = (report: BenchReport): string =>
  [
    `Taken ${report.takenAt} on ${machineLine(report.machine)}.`,
    '',
    '| hop | figure | value | target | | note |',
    '| --- | --- | --: | --- | --- | --- |',
    ...report.figures.map(
      (f) =>
        `| ${f.hop} | ${f.name} | ${rounded(f.value)} ${f.unit} | ${targetText(f)} | ${f.verdict} | ${f.note ?? ''} |`,
    ),
  ].join('\n');

/** Writes the report as bench-<UTC date and time>.json in `dir`, and returns the file's path. */
export const writeReport = (report: BenchReport, dir: string): string => {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${report.takenAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
};
