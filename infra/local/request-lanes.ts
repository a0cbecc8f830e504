import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/** Which requests DynamoDB Local serves first when several wait: what follows a commit, then new commits. */
export type Lane = 'follow-up' | 'intake';

export interface RequestLanes {
  /** Sends the client's requests through the lane: at most the lanes' share in flight, follow-ups first. */
  route<C extends DynamoDBClient | DynamoDBStreamsClient>(client: C, lane: Lane): C;
}

/**
 * DynamoDB Local runs every request on one database thread, in the order they arrive: with a burst of
 * reports in flight, each read notify makes after a 202 waits behind every commit sent before it. These lanes
 * keep at most `maxInFlight` requests at DynamoDB Local (enough to keep its thread busy) and hand the next
 * free place to what follows a commit (the stream, notify, the reminder, the sweep) before a new commit, so
 * accepted work finishes before more is taken on. Nothing is dropped or reordered within a lane; a commit
 * only waits longer for its turn when there is follow-up work to do.
 */
export const createRequestLanes = (maxInFlight: number): RequestLanes => {
  let inFlight = 0;
  const waiting: Record<Lane, (() => void)[]> = { 'follow-up': [], intake: [] };
  const take = (lane: Lane): Promise<void> => {
    if (inFlight < maxInFlight) {
      inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((done) => waiting[lane].push(done));
  };
  const give = () => {
    const next = waiting['follow-up'].shift() ?? waiting.intake.shift();
    if (next) next();
    else inFlight -= 1;
  };
  return {
    route(client, lane) {
      (client as DynamoDBClient).middlewareStack.add(
        (next) => async (args) => {
          await take(lane);
          try {
            return await next(args);
          } finally {
            give();
          }
        },
        // Around each attempt's HTTP exchange only: retries and their back-off hold no place.
        { step: 'finalizeRequest', priority: 'low', name: 'localRequestLane' },
      );
      return client;
    },
  };
};
