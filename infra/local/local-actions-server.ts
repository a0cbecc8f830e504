import { createServer, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ACTION_PAGE_PATH } from '../../shared/actions/action-links';
import { actionPageHeaders, renderActionPage } from '../../shared/actions/action-page';
import { gatewayAnswers } from '../../shared/openapi/intake-answers';
import { routedGatewayEvent } from './api-gateway-event';
import { answerThrown, readBody, sendGatewayAnswer, sendLambdaResult } from './local-http-server';
import { createRateLimiter } from './rate-limiter';

export type ActionPageRoute = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The action pages on their own port, as API Gateway would hand them to the actions handler: GET, POST and
 * any other method on /v1/actions (the handler answers 405), nothing else. Each client gets a small budget of
 * requests a minute (429 and a page saying so beyond it). Until `route()` has something, it answers 503.
 */
export const createLocalActionsServer = (
  route: () => ActionPageRoute | undefined,
  limit: { perMinute: number; burst: number } = { perMinute: 30, burst: 10 },
): Server => {
  const limiter = createRateLimiter(limit);
  return createServer(async (request, response) => {
    const receivedAt = new Date();
    const url = request.url ?? '/';
    try {
      const body = await readBody(request);
      const ready = route();
      if (url.split('?')[0] !== ACTION_PAGE_PATH) {
        sendGatewayAnswer(response, gatewayAnswers.notFound);
        return;
      }
      const client = request.socket.remoteAddress ?? '127.0.0.1';
      if (!ready || !limiter.take(client)) {
        response.writeHead(ready ? 429 : 503, {
          ...actionPageHeaders,
          ...(ready ? { 'retry-after': '60' } : {}),
        });
        response.end(renderActionPage({ kind: ready ? 'busy' : 'failed' }));
        return;
      }
      const event = routedGatewayEvent(request, body, receivedAt, {
        path: ACTION_PAGE_PATH,
        methods: ['GET', 'POST'],
        pathParameters: {},
      });
      sendLambdaResult(response, await ready(event));
    } catch (error) {
      answerThrown(response, error, () => {
        response.writeHead(500, actionPageHeaders);
        response.end(renderActionPage({ kind: 'failed' }));
      });
    }
  });
};
