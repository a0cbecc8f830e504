import { parseArgs } from 'node:util';
import { type BenchReport, type Figure, formatTable, judge, writeReport } from './bench-report';
import { startEpisodeTableServer } from './episode-table-server';
import { describeMachine } from './machine';
import { measureStoreWrites } from './store-write';

/**
 * `npm run bench`: measures every hop of the pipeline on this machine, prints each figure beside its
 * target, and writes the same figures as JSON. `--quick` runs every measurement with tiny counts (the
 * smoke test's run); `--out DIR` chooses where the JSON goes (bench-results/ by default).
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results' },
  },
});
const quick = values.quick ?? false;

/** The same concurrency for the raw store figure and for intake, so their ratio is fair. */
const IN_FLIGHT = 16;

const sizes = quick ? { storeWrites: 40, warmUp: 20 } : { storeWrites: 3_000, warmUp: 1_000 };

const machine = describeMachine();
const takenAt = new Date().toISOString();
const figures: Figure[] = [];

const server = await startEpisodeTableServer();
try {
  const store = await measureStoreWrites(server, {
    items: sizes.storeWrites,
    inFlight: IN_FLIGHT,
    warmUp: sizes.warmUp,
  });
  figures.push(...store.figures);
} finally {
  await server.stop();
}

const report: BenchReport = { takenAt, quick, machine, figures: figures.map(judge) };
console.log(formatTable(report));
console.log(`\nFigures written to ${writeReport(report, values.out ?? 'bench-results')}`);
