import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { createActionsHandler } from '../../functions/actions/actions-handler';
import { createDispatchHandler } from '../../functions/dispatch/dispatch-handler';
import { createIntakeHandler } from '../../functions/intake/intake-handler';
import { createNotifyHandler } from '../../functions/notify/notify-handler';
import { createReminderHandler } from '../../functions/reminder/reminder-handler';
import { createSweepHandler } from '../../functions/sweep/sweep-handler';
import { ACTION_PAGE_PATH } from '../../shared/actions/action-links';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { EnvSecretSource } from '../../shared/adapters/env-secret-source';
import { OUTBOX_INSERT_FILTER } from '../../shared/adapters/episode-table';
import { type CouncilConfig, webhookSources } from '../../shared/council/council-schema';
import type { OutgoingEmail } from '../../shared/ports';
import { loadCouncilFile } from '../councils/council-files';
import { type DynamoDbLocalServer, startDynamoDbLocal } from './dynamodb-local-server';
import { type ActionPageRoute, createLocalActionsServer } from './local-actions-server';
import { createLocalClock } from './local-clock';
import { createLocalDeadlineScheduler, viaDeadlineQueue } from './local-deadline-scheduler';
import {
  durableTransactions,
  type EpisodeTable,
  ensureEpisodeTable,
  localDynamoDbClient,
  localStreamsClient,
} from './local-episode-table';
import { createLocalHttpServer, type LocalRoutes, listen } from './local-http-server';
import { LINK_KEYS_FILE, type LocalLinkKeys, localLinkKeys } from './local-link-keys';
import { localPseudonymKey } from './local-pseudonym-key';
import { createLocalRoutingQueue } from './local-routing-queue';
import { type LocalSourceSecret, localSourceSecrets, secretVariables } from './local-source-secrets';
import type { LocalStatus } from './local-status';
import { createLocalTableStream } from './local-table-stream';
import { createOutboxMailer } from './outbox-mailer';
import { createRequestLanes } from './request-lanes';

export interface LocalPipelineOptions {
  councilId: string;
  dataDir: string;
  port: number;
  /** The action pages' own port (the links in emails point there); 0 for any free port. */
  actionsPort: number;
  host?: string;
  env?: NodeJS.ProcessEnv;
  /** One line per request and per email, for the person watching the terminal: ids only. */
  print?: (line: string) => void;
}

export interface LocalPipeline {
  url: string;
  /** Where the links in emails open: the action page. */
  actionsUrl: string;
  linkKeys: LocalLinkKeys['origin'];
  council: CouncilConfig;
  dataDir: string;
  outboxDir: string;
  dynamoDbEndpoint: string;
  table: EpisodeTable['table'];
  secrets: LocalSourceSecret[];
  stop(): Promise<void>;
}

/** Quiet unless asked: the terminal shows one line per request and email instead. */
const LogLevel = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']).default('WARN');

/** The table name is the council's, as in its stack; the data folder keeps one table per council. */
export const tableNameOf = (councilId: string) => `episodes-${councilId}`;

/** The sweep's period, as in the stack. */
const SWEEP_PERIOD_MS = 15 * 60_000;

/**
 * Requests at DynamoDB Local at once: enough to keep its one database thread busy while the next are parsed
 * (4, 8 and 16 gave the same throughput in a burst of 1,000 reports), few enough that follow-up work waits
 * behind a handful of commits rather than every one in flight.
 */
const DYNAMODB_LOCAL_IN_FLIGHT = 8;

/** Every notice still pending fires before this: re-arming at start asks the store for all of them. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

const closeServer = (server: Server) =>
  new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });

/**
 * The whole pipeline on one machine: the Lambda handlers themselves, with DynamoDB Local for the store and its
 * stream, which feeds the dispatch handler as Lambda's event source mapping would; a routing queue journalled
 * in the data folder that calls notify as SQS would; an in-memory Scheduler that calls the reminder handler,
 * re-armed from the store's pending notices at every start; and an outbox for SES. What a restart keeps: the
 * table and its stream, the stream position dispatched (outbox-stream.json), the routing messages not yet
 * delivered (routing-queue.jsonl), the emails (outbox/), the clock, the secrets and the registry's pseudonym key. The HTTP port is taken
 * first, so a port in use fails before anything else starts.
 */
export const startLocalPipeline = async (options: LocalPipelineOptions): Promise<LocalPipeline> => {
  const env = options.env ?? process.env;
  const print = options.print ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const council = loadCouncilFile(options.councilId);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });

  let routes: LocalRoutes | undefined;
  let actionPage: ActionPageRoute | undefined;
  const server = createLocalHttpServer(() => routes);
  const actionsServer = createLocalActionsServer(() => actionPage);
  const port = await listen(server, options.port, host);
  const actionsPort = await listen(actionsServer, options.actionsPort, host).catch(async (error) => {
    await closeServer(server);
    throw error;
  });
  const actionsOrigin = `http://${host}:${actionsPort}`;

  let dynamo: DynamoDbLocalServer | undefined;
  const timers: NodeJS.Timeout[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    routes = undefined;
    actionPage = undefined;
    for (const timer of timers) clearInterval(timer);
    await closeServer(server);
    await closeServer(actionsServer);
    for (const stopper of stoppers.splice(0).reverse()) await stopper();
    await dynamo?.stop();
  };

  try {
    const clock = createLocalClock({ file: join(dataDir, 'clock.json') });
    const secrets = localSourceSecrets(Object.keys(webhookSources(council)), {
      env,
      file: join(dataDir, 'source-secrets.json'),
    });
    // A loaded machine can take far longer than the usual 2.5 s to boot the JVM.
    dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb'), readyTimeoutMs: 90_000 });
    // Two clients, so what follows a commit goes to DynamoDB Local before new commits (request-lanes); the
    // read that makes a commit durable follows it too, so its 202 does not wait behind new commits.
    const lanes = createRequestLanes(DYNAMODB_LOCAL_IN_FLIGHT);
    const client = lanes.route(durableTransactions(localDynamoDbClient(dynamo.endpoint)), 'follow-up');
    const intakeClient = lanes.route(
      durableTransactions(localDynamoDbClient(dynamo.endpoint), client),
      'intake',
    );
    stoppers.push(async () => client.destroy());
    stoppers.push(async () => intakeClient.destroy());
    const tableName = tableNameOf(council.id);
    const { table, streamArn } = await ensureEpisodeTable(client, tableName);
    const streamsClient = lanes.route(localStreamsClient(dynamo.endpoint), 'follow-up');
    stoppers.push(async () => streamsClient.destroy());

    const linkKeys = localLinkKeys({ env, file: join(dataDir, LINK_KEYS_FILE) });
    const outboxDir = join(dataDir, 'outbox');
    const mailer = createOutboxMailer({ dir: outboxDir, from: council.email.from.address, clock });
    const logger = new Logger({
      serviceName: 'local-pipeline',
      logLevel: LogLevel.parse(env.POWERTOOLS_LOG_LEVEL?.toUpperCase()),
      persistentKeys: { councilId: council.id },
    });
    const mailDeps = {
      // The action pages commit a step through it too (intake's path), on the same lane as the mail.
      store: new DynamoIntakeStore(episodeTableClient(client), tableName),
      mailer: {
        async send(email: OutgoingEmail) {
          const result = await mailer.send(email);
          if (result.ok) print(`email ${result.messageId} to ${email.to.join(', ')}: ${email.subject}`);
          return result;
        },
      },
      clock,
      council,
      links: { pageUrl: `${actionsOrigin}${ACTION_PAGE_PATH}`, keys: linkKeys },
    };
    const notify = createNotifyHandler({
      ...mailDeps,
      logger: logger.createChild({ serviceName: 'notify' }),
    });
    const reminder = createReminderHandler({
      ...mailDeps,
      logger: logger.createChild({ serviceName: 'reminder' }),
    });
    const sweep = createSweepHandler({ ...mailDeps, logger: logger.createChild({ serviceName: 'sweep' }) });
    const queue = createLocalRoutingQueue({
      consumer: notify,
      journal: join(dataDir, 'routing-queue.jsonl'),
      onError: (error) => logger.error('notify failed its batch', { error: String(error) }),
    });
    stoppers.push(() => queue.stop());
    const scheduler = createLocalDeadlineScheduler({ clock, target: viaDeadlineQueue(reminder) });
    stoppers.push(() => scheduler.stop());
    const outboxStream = createLocalTableStream({
      client: streamsClient,
      streamArn,
      consumer: createDispatchHandler({
        queue,
        scheduler,
        deadlineQueue: scheduler,
        clock,
        logger: logger.createChild({ serviceName: 'dispatch' }),
      }),
      filter: OUTBOX_INSERT_FILTER,
      checkpointFile: join(dataDir, 'outbox-stream.json'),
      onError: (error) => logger.error('dispatch failed its batch', { error: String(error) }),
    });
    // Stopped before the queue and the scheduler it hands work to.
    stoppers.push(() => outboxStream.stop());
    const pseudonymKey = localPseudonymKey(join(dataDir, 'pseudonym-key'));
    const intake = createIntakeHandler({
      store: new DynamoIntakeStore(episodeTableClient(intakeClient), tableName),
      secrets: new EnvSecretSource(secretVariables(secrets)),
      pseudonymKey,
      clock,
      council,
      logger: logger.createChild({ serviceName: 'intake' }),
    });

    // One sweep at a time, and stopping waits for the one under way before the store goes.
    let sweeping: Promise<unknown> = Promise.resolve();
    const sweepNow = () => {
      const run = sweeping.then(async () => {
        const result = await sweep();
        if (result.fired > 0) print(`sweep fired ${result.fired} due notice(s)`);
        return result;
      });
      sweeping = run.catch(() => undefined);
      return run;
    };
    stoppers.push(() => sweeping.then(() => undefined));
    // The Scheduler's schedules live in memory here: every pending notice gets one again, so a notice falling
    // due after a restart fires on time (and one that fell due while stopped fires now), not at the next sweep;
    // one leased by a reminder killed mid-send fires as its lease runs out.
    const pending = await mailDeps.store.dueNotices(END_OF_TIME, Number.POSITIVE_INFINITY);
    for (const notice of pending) await scheduler.schedule(notice.episodeId, notice, notice.leaseUntil);
    if (pending.length > 0) print(`re-armed ${pending.length} pending deadline notice(s)`);
    scheduler.start();
    outboxStream.start();
    timers.push(
      setInterval(
        () => void sweepNow().catch((error) => logger.error('sweep failed', { error: String(error) })),
        SWEEP_PERIOD_MS,
      ),
    );

    const actions = createActionsHandler({
      store: mailDeps.store,
      keys: linkKeys,
      pseudonymKey,
      clock,
      council,
      origin: actionsOrigin,
      logger: logger.createChild({ serviceName: 'actions' }),
    });
    actionPage = async (event) => {
      const answer = await actions(event);
      // A step recorded: its commit's outbox items are on the stream now.
      if (event.requestContext.http.method === 'POST') outboxStream.poke();
      // The path only: a link's token is a credential, even locally.
      print(`${event.requestContext.http.method} ${event.rawPath} (action page) -> ${answer.statusCode}`);
      return answer;
    };
    routes = {
      async intake(event) {
        const answer = await intake(event);
        // A commit's outbox items are on the stream now: the dispatcher need not wait for its next look.
        if (answer.statusCode === 202) outboxStream.poke();
        print(`${event.requestContext.http.method} ${event.rawPath} -> ${answer.statusCode}`);
        return answer;
      },
      outbox: () => mailer.read(),
      async advanceClock(ms) {
        const now = clock.advance(ms);
        print(`clock moved on to ${now}`);
        const schedulesFired = await scheduler.fireDue();
        const sweepResult = await sweepNow();
        return { now, schedulesFired, sweep: sweepResult, outbox: mailer.count() };
      },
      status: () => {
        const current = {
          council: council.id,
          now: clock.now(),
          clockOffsetMs: clock.offsetMs(),
          dataDir,
          dispatch: { caughtUp: outboxStream.caughtUp(), deadLetters: outboxStream.deadLetters() },
          queue: { depth: queue.depth(), deadLetters: queue.deadLetters() },
          schedules: {
            pending: scheduler.pending(),
            inFlight: scheduler.inFlight(),
            deadLetters: scheduler.deadLetters(),
          },
          outbox: { emails: mailer.count(), dir: outboxDir },
        };
        // What the runtime's clients read is there, beside the rest.
        return current satisfies LocalStatus;
      },
    };
    return {
      url: `http://${host}:${port}`,
      actionsUrl: `${actionsOrigin}${ACTION_PAGE_PATH}`,
      linkKeys: linkKeys.origin,
      council,
      dataDir,
      outboxDir,
      dynamoDbEndpoint: dynamo.endpoint,
      table,
      secrets,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
