import { Logger } from '@aws-lambda-powertools/logger';
import { createIntakeHandler } from '../functions/intake/intake-handler';
import { apiGatewayEvent } from '../infra/local/api-gateway-event';
import { DynamoEpisodeStore } from '../shared/adapters/dynamo-episode-store';
import type { CouncilConfig } from '../shared/council/council-schema';
import type { DeadlineScheduler, RoutingQueue } from '../shared/ports';
import type { Figure } from './bench-report';
import type { EpisodeTableServer } from './episode-table-server';
import { runInFlight } from './in-flight';
import { reportedEvent, type SignedDelivery, signedDelivery } from './signed-delivery';
import { summarise } from './stats';

export const INTAKE_RATIO_LIMIT = 1.5;

const SECRET = 'whsec_YmVuY2gtc2VjcmV0LWZvci1pbnRha2UtYmVuY2g=';

/** The handler's request as API Gateway would give it, built the way the local runtime builds it. */
const requestOf = (delivery: SignedDelivery) =>
  apiGatewayEvent({
    method: 'POST',
    url: delivery.path,
    headers: delivery.headers,
    body: Buffer.from(delivery.body),
    sourceIp: '127.0.0.1',
    routeKey: 'POST /v1/sources/{sourceId}/events',
    pathParameters: { sourceId: delivery.sourceId },
    receivedAt: new Date(),
  });

/**
 * The intake handler in this process against DynamoDB Local with the real DynamoDB store; the queue and
 * the scheduler only count (their AWS services are not what is measured here). Every event is a new
 * child reported missing, signed as its source signs it, at the raw write figure's concurrency.
 */
export const measureIntake = async (
  server: EpisodeTableServer,
  options: {
    council: CouncilConfig;
    sourceId: string;
    events: number;
    warmUp: number;
    inFlight: number;
    rawWritesPerSecond: number;
    rawTransactionsPerSecond: number;
  },
): Promise<Figure[]> => {
  const doc = server.newDocClient();
  const requestsByCommand = new Map<string, number>();
  let transactItems = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      requestsByCommand.set(name, (requestsByCommand.get(name) ?? 0) + 1);
      const items = (args.input as { TransactItems?: unknown[] }).TransactItems;
      transactItems += items?.length ?? 0;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  let queued = 0;
  let scheduled = 0;
  const queue: RoutingQueue = {
    send: async (messages) => {
      queued += messages.length;
    },
  };
  const scheduler: DeadlineScheduler = {
    schedule: async () => {
      scheduled++;
    },
    cancel: async () => {},
  };
  const handler = createIntakeHandler({
    store: new DynamoEpisodeStore(doc, await server.createTable()),
    queue,
    scheduler,
    secrets: { secretsFor: async () => [SECRET] },
    clock: { now: () => new Date().toISOString() },
    council: options.council,
    // Silent: a log line per event to this terminal would measure the terminal.
    logger: new Logger({ serviceName: 'intake', logLevel: 'SILENT' }),
  });
  const post = async (delivery: SignedDelivery) => {
    const answer = await handler(requestOf(delivery));
    if (answer.statusCode !== 202) throw new Error(`intake answered ${answer.statusCode}: ${answer.body}`);
  };
  const deliveries = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      signedDelivery(options.sourceId, SECRET, reportedEvent(`${prefix}-${i}`, new Date())),
    );

  const warmUp = deliveries('BENCH-WARM', options.warmUp);
  await runInFlight(warmUp.length, options.inFlight, (i) => post(warmUp[i] as SignedDelivery));
  requestsByCommand.clear();
  transactItems = 0;
  queued = 0;
  scheduled = 0;

  const measured = deliveries('BENCH-INTAKE', options.events);
  const run = await runInFlight(measured.length, options.inFlight, (i) =>
    post(measured[i] as SignedDelivery),
  );
  doc.destroy();

  const latency = summarise(run.latenciesMs);
  const requests = [...requestsByCommand.values()].reduce((sum, n) => sum + n, 0);
  const perEvent = (n: number) => (n / options.events).toFixed(1);
  const requestMix = [...requestsByCommand]
    .map(([name, n]) => `${perEvent(n)} ${name.replace(/Command$/, '')}`)
    .join(', ');
  const hop = 'intake (in-process)';
  return [
    { hop, name: 'latency p50', value: latency.p50, unit: 'ms' },
    { hop, name: 'latency p99', value: latency.p99, unit: 'ms' },
    {
      hop,
      name: 'throughput',
      value: run.perSecond,
      unit: 'events/s',
      note: `${options.inFlight} in flight, ${options.events} events; ${queued} routing messages, ${scheduled} schedules (counted, not sent)`,
    },
    {
      hop,
      name: 'DynamoDB requests per event',
      value: requests / options.events,
      unit: 'requests',
      note: `${requestMix}; ${perEvent(transactItems)} items per transaction`,
    },
    {
      hop,
      name: 'raw writes/s / intake events/s',
      value: options.rawWritesPerSecond / run.perSecond,
      unit: 'x',
      target: { atMost: INTAKE_RATIO_LIMIT },
      note: 'an event costs several store requests (above), the raw figure one PutItem',
    },
    {
      hop,
      name: 'raw writes/s / intake store requests/s',
      value: options.rawWritesPerSecond / ((run.perSecond * requests) / options.events),
      unit: 'x',
      note: 'per request rather than per event: how close intake keeps the store to its limit',
    },
    {
      hop,
      name: 'raw transactions/s / intake events/s',
      value: options.rawTransactionsPerSecond / run.perSecond,
      unit: 'x',
      note: 'against transactions as large as intake commit: the rest is reads, the update and the code',
    },
  ];
};
