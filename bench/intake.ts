import { Logger } from '@aws-lambda-powertools/logger';
import { createIntakeHandler } from '../functions/intake/intake-handler';
import { apiGatewayEvent } from '../infra/local/api-gateway-event';
import { DynamoIntakeStore } from '../shared/adapters/dynamo-intake-store';
import type { CouncilConfig } from '../shared/council/council-schema';
import type { Figure } from './bench-report';
import type { EpisodeTableServer } from './episode-table-server';
import { runInFlight } from './in-flight';
import { reportedEvent, type SignedDelivery, signedDelivery } from './signed-delivery';
import { summarise } from './stats';

/** Intake's events per second against the raw rate of transactions as large as its commit. */
export const INTAKE_RATIO_LIMIT = 1.3;
/** Store requests an event may cost in the request itself. */
export const INTAKE_REQUESTS_LIMIT = 3;

const hop = 'intake (in-process)';

export interface IntakeRun {
  perSecond: number;
  requestsPerEvent: number;
  /** Items in each commit's transaction, on average: the size the raw transaction figure is measured at. */
  itemsPerTransaction: number;
  figures: Figure[];
}

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
 * The intake handler in this process against DynamoDB Local with the real DynamoDB store: the commit is
 * its only write, and what follows (the outbox items in the commit) is the dispatcher's, not measured here.
 * Every event is a new child reported missing, signed as its source signs it, at the raw figures' concurrency.
 */
export const measureIntake = async (
  server: EpisodeTableServer,
  options: {
    council: CouncilConfig;
    sourceId: string;
    events: number;
    warmUp: number;
    inFlight: number;
  },
): Promise<IntakeRun> => {
  const doc = server.newDocClient();
  const requestsByCommand = new Map<string, number>();
  let transactItems = 0;
  let outboxItems = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      requestsByCommand.set(name, (requestsByCommand.get(name) ?? 0) + 1);
      const items = (args.input as { TransactItems?: { Put?: { Item?: { pk?: unknown } } }[] }).TransactItems;
      transactItems += items?.length ?? 0;
      outboxItems += items?.filter((i) => String(i.Put?.Item?.pk).startsWith('OUTBOX#')).length ?? 0;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  const handler = createIntakeHandler({
    store: new DynamoIntakeStore(doc, await server.createTable()),
    secrets: { secretsFor: async () => [SECRET] },
    pseudonymKey: { key: async () => 'the registry key of the bench, 32+ characters' },
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
  outboxItems = 0;

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
  return {
    perSecond: run.perSecond,
    requestsPerEvent: requests / options.events,
    itemsPerTransaction: transactItems / options.events,
    figures: [
      { hop, name: 'latency p50', value: latency.p50, unit: 'ms' },
      { hop, name: 'latency p99', value: latency.p99, unit: 'ms' },
      {
        hop,
        name: 'throughput',
        value: run.perSecond,
        unit: 'events/s',
        note: `${options.inFlight} in flight, ${options.events} events; ${outboxItems} outbox items committed`,
      },
      {
        hop,
        name: 'DynamoDB requests per event',
        value: requests / options.events,
        unit: 'requests',
        target: { atMost: INTAKE_REQUESTS_LIMIT },
        note: `${requestMix}; ${perEvent(transactItems)} items per transaction`,
      },
    ],
  };
};

/** Intake's rate read against the store's own: the raw PutItem rate, and transactions as large as its commit. */
export const intakeRatios = (
  intake: IntakeRun,
  raw: { writesPerSecond: number; transactionsPerSecond: number },
): Figure[] => [
  {
    hop,
    name: 'raw writes/s / intake events/s',
    value: raw.writesPerSecond / intake.perSecond,
    unit: 'x',
    note: 'an event costs several store requests (above), the raw figure one PutItem',
  },
  {
    hop,
    name: 'raw writes/s / intake store requests/s',
    value: raw.writesPerSecond / (intake.perSecond * intake.requestsPerEvent),
    unit: 'x',
    note: 'per request rather than per event: how close intake keeps the store to its limit',
  },
  {
    hop,
    name: 'raw transactions/s / intake events/s',
    value: raw.transactionsPerSecond / intake.perSecond,
    unit: 'x',
    target: { atMost: INTAKE_RATIO_LIMIT },
    note: "against transactions as large as intake's commit: the rest is its reads and its code",
  },
];
