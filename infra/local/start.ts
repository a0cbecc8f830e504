import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { councilIds } from '../councils/council-files';
import { LINK_KEYS_FILE, LINK_KEYS_VARIABLE } from './local-link-keys';
import { type LocalPipeline, startLocalPipeline } from './local-pipeline';

/**
 * `npm start [-- --council <id>] [--data-dir DIR] [--port N]`: the whole pipeline for one council on this
 * machine. Ctrl-C stops the HTTP server, the timers and DynamoDB Local; nothing is left running.
 */
const usage = 'usage: npm start -- [--council <id>] [--data-dir DIR] [--port N] [--actions-port N]';

const Options = z.object({
  council: z.enum(councilIds(), { error: `--council must be one of: ${councilIds().join(', ')}` }),
  dataDir: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  actionsPort: z.coerce.number().int().min(0).max(65_535),
});

const fail = (message: string): never => {
  console.error(`npm start: ${message}`);
  process.exit(1);
};

const parseOptions = () => {
  try {
    const { values } = parseArgs({
      options: {
        council: { type: 'string', default: 'tower-hamlets' },
        'data-dir': { type: 'string', default: '.data' },
        port: { type: 'string', default: process.env.PORT ?? '3000' },
        'actions-port': { type: 'string', default: process.env.ACTIONS_PORT },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(
        `${usage}\n  --council       one of: ${councilIds().join(', ')} (default tower-hamlets)\n  --data-dir      where the tables, outbox and secrets are kept (default .data)\n  --port          the HTTP port (default $PORT or 3000; 0 for any free port)\n  --actions-port  the action pages' port, where the links in emails open (default $ACTIONS_PORT, else the next port; 0 for any free port)`,
      );
      process.exit(0);
    }
    // The pages sit on the port after the intake's, or on any free one when the intake's is.
    const actionsPort =
      values['actions-port'] ?? (values.port === '0' ? '0' : String(Number(values.port) + 1));
    const parsed = Options.safeParse({
      council: values.council,
      dataDir: values['data-dir'],
      port: values.port,
      actionsPort,
    });
    return parsed.success ? parsed.data : fail(`${z.prettifyError(parsed.error)}\n${usage}`);
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
};

const banner = (pipeline: LocalPipeline) => {
  const shown = (path: string) => {
    const near = relative(process.cwd(), path);
    return near.startsWith('..') ? path : near || '.';
  };
  const width = Math.max(...pipeline.secrets.map((s) => s.sourceId.length));
  return [
    '',
    `Missing-child episode pipeline, running locally for ${pipeline.council.name}`,
    '',
    `  Intake      POST ${pipeline.url}/v1/sources/{sourceId}/events`,
    `  Outbox      GET  ${pipeline.url}/_local/outbox   (emails as files: ${shown(pipeline.outboxDir)}/)`,
    `  Clock       POST ${pipeline.url}/_local/clock  {"advance":"PT72H"}`,
    `  Status      GET  ${pipeline.url}/_local/status`,
    `  Pages       ${pipeline.actionsUrl}?token=...   (the links in emails; keys in ${
      pipeline.linkKeys === 'environment'
        ? LINK_KEYS_VARIABLE
        : `${shown(pipeline.dataDir)}/${LINK_KEYS_FILE}`
    })`,
    `  Data        ${shown(pipeline.dataDir)}/ (DynamoDB Local at ${pipeline.dynamoDbEndpoint}, table ${pipeline.table})`,
    '',
    '  Source secrets (sign with Standard Webhooks; `npm run sign -- --source <id> --secret <secret> --file event.json`):',
    ...pipeline.secrets.map(
      (s) =>
        `    ${s.sourceId.padEnd(width)}  ${s.secrets.join(' ')}  (${s.origin === 'environment' ? `from ${s.variable}` : `generated; set ${s.variable} to choose`})`,
    ),
    '',
    `  Try it: npm run demo${pipeline.url.endsWith(':3000') ? '' : ` -- --url ${pipeline.url}`}   (in another terminal)`,
    '  Ctrl-C stops everything.',
    '',
    `Ready on ${pipeline.url}`,
  ].join('\n');
};

// The SDK warns that releases from 2027 need Node 22 (Lambda runs 24); locally it only hides the banner.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const options = parseOptions();
const time = () => new Date().toISOString().slice(11, 19);

let pipeline: LocalPipeline;
try {
  pipeline = await startLocalPipeline({
    councilId: options.council,
    dataDir: options.dataDir,
    port: options.port,
    actionsPort: options.actionsPort,
    print: (line) => console.log(`${time()}  ${line}`),
  });
} catch (error) {
  pipeline = fail(error instanceof Error ? error.message : String(error));
}
console.log(banner(pipeline));

let stopping = false;
const shutDown = async (why: string, code = 0) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${why}: stopping the local pipeline...`);
  await pipeline.stop();
  console.log('Stopped.');
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void shutDown(signal));
// Whatever goes wrong, DynamoDB Local goes down with the runtime rather than outliving it.
process.on('uncaughtException', (error) => {
  console.error(error);
  void shutDown('unexpected error', 1);
});
// A closed terminal or a killed parent (npm's shell) leaves no one to press Ctrl-C: stop then too.
process.stdout.on('error', () => void shutDown('output closed'));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutDown('parent process gone');
}, 1_000).unref();
