import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCouncilFile } from '../infra/councils/council-files';
import {
  type BenchReport,
  type Figure,
  formatMarkdown,
  formatTable,
  judge,
  writeReport,
} from './bench-report';
import { measureColdStart } from './cold-start';
import { measureDeadlineLateness } from './deadline-lateness';
import { type Load, measureEndToEnd } from './end-to-end';
import { type EpisodeTableServer, startEpisodeTableServer } from './episode-table-server';
import { intakeRatios, measureIntake } from './intake';
import { describeMachine } from './machine';
import { measureStoreTransactions, measureStoreWrites } from './store-write';

/**
 * `npm run bench`: measures every hop of the pipeline on this machine, prints each figure beside its
 * target, and writes the same figures as JSON. `--quick` runs every measurement with tiny counts (the
 * smoke test's run); `--out DIR` chooses where the JSON goes (bench-results/ by default); `--only a,b`
 * runs some of: intake (with the raw store figure it is read against), cold-start, end-to-end, deadlines;
 * `--markdown` prints the table as Markdown, for the README.
 */
// The SDK warns that its 2027 releases need Node 22 (Lambda runs 24); here it would only clutter the table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MEASUREMENTS = ['intake', 'cold-start', 'end-to-end', 'deadlines'] as const;
type Measurement = (typeof MEASUREMENTS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results' },
    only: { type: 'string' },
    markdown: { type: 'boolean', default: false },
  },
});
const quick = values.quick ?? false;
const only = values.only?.split(',') ?? [...MEASUREMENTS];
const unknown = only.filter((name) => !(MEASUREMENTS as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`unknown measurement ${unknown.join(', ')}: use ${MEASUREMENTS}`);
const selected = (name: Measurement) => only.includes(name);

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = values.out ?? 'bench-results';

/** The same concurrency for the raw store figure and for intake, so their ratio is fair. */
const IN_FLIGHT = 16;

const sizes = quick
  ? {
      storeWrites: 40,
      warmUp: 20,
      intakeEvents: 20,
      intakeWarmUp: 5,
      initRuns: 1,
      steadyEvents: 5,
      burstEvents: 10,
      e2eWarmUp: 2,
      dueEpisodes: 3,
    }
  : {
      storeWrites: 3_000,
      warmUp: 1_000,
      intakeEvents: 1_000,
      intakeWarmUp: 200,
      initRuns: 7,
      steadyEvents: 200,
      burstEvents: 1_000,
      e2eWarmUp: 50,
      dueEpisodes: 100,
    };
const council = loadCouncilFile('tower-hamlets');

const machine = describeMachine();
const takenAt = new Date().toISOString();
const figures: Figure[] = [];

/**
 * Each store measurement on a DynamoDB Local of its own: with streams on, every table's writes slow as the
 * other tables' stream records pile up in the same server, so a shared one would handicap whichever ran last.
 */
const onFreshServer = async <T>(measure: (server: EpisodeTableServer) => Promise<T>): Promise<T> => {
  const server = await startEpisodeTableServer();
  try {
    return await measure(server);
  } finally {
    await server.stop();
  }
};

if (selected('intake')) {
  const load = { requests: sizes.storeWrites, inFlight: IN_FLIGHT, warmUp: sizes.warmUp };
  const store = await onFreshServer((server) => measureStoreWrites(server, load));
  const intake = await onFreshServer((server) =>
    measureIntake(server, {
      council,
      sourceId: 'met-police',
      events: sizes.intakeEvents,
      warmUp: sizes.intakeWarmUp,
      inFlight: IN_FLIGHT,
    }),
  );
  // Transactions as large as intake's commits were, and as many, so both end with as many stream records.
  const transactions = await onFreshServer((server) =>
    measureStoreTransactions(server, {
      inFlight: IN_FLIGHT,
      requests: sizes.intakeEvents,
      warmUp: sizes.intakeWarmUp,
      itemsPerTransaction: Math.round(intake.itemsPerTransaction),
    }),
  );
  figures.push(
    ...store.figures,
    ...transactions.figures,
    ...intake.figures,
    ...intakeRatios(intake, {
      writesPerSecond: store.run.perSecond,
      transactionsPerSecond: transactions.run.perSecond,
    }),
  );
}

if (selected('cold-start')) {
  figures.push(
    ...(await measureColdStart({
      council,
      runs: sizes.initRuns,
      projectRoot,
    })),
  );
}

if (selected('end-to-end')) {
  const loads: Load[] = [
    { kind: 'steady', events: sizes.steadyEvents, perSecond: 10 },
    { kind: 'burst', events: sizes.burstEvents, inFlight: 50 },
  ];
  for (const load of loads) {
    figures.push(
      ...(await measureEndToEnd({
        councilId: council.id,
        sourceId: 'met-police',
        load,
        warmUp: sizes.e2eWarmUp,
      })),
    );
  }
}

if (selected('deadlines')) {
  figures.push(
    ...(await measureDeadlineLateness({
      councilId: council.id,
      sourceId: 'met-police',
      episodes: sizes.dueEpisodes,
      inFlight: 8,
    })),
  );
}

const report: BenchReport = { takenAt, quick, machine, figures: figures.map(judge) };
console.log(values.markdown ? formatMarkdown(report) : formatTable(report));
console.log(`\nFigures written to ${writeReport(report, outDir)}`);
