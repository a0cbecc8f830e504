import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { gatewayAnswers } from '../../shared/openapi/intake-answers';
import { routedGatewayEvent } from './api-gateway-event';
import { ClockAdvanceRequest } from './local-clock';

/** What the local routes call: the intake handler, and the runtime's outbox, clock and status. */
export interface LocalRoutes {
  intake(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2>;
  outbox(): unknown[];
  advanceClock(ms: number): Promise<unknown>;
  status(): unknown;
}

/** API Gateway HTTP APIs refuse a payload over 10 MB before any Lambda sees it. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const INTAKE_ROUTE = /^\/v1\/sources\/([^/?]+)\/events(?:\?.*)?$/s;

class PayloadTooLarge extends Error {}

/** A path segment as API Gateway hands it over, or undefined when its %-encoding is broken. */
const decodedPathPart = (part: string): string | undefined => {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
};

export const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        fail(new PayloadTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => done(Buffer.concat(chunks)));
    request.once('error', fail);
  });

const sendJson = (response: ServerResponse, statusCode: number, body: unknown) => {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body, null, 2)}\n`);
};

/** An answer API Gateway gives itself, byte for byte: compact JSON, plain `application/json`. */
export const sendGatewayAnswer = (response: ServerResponse, answer: { status: number; body: unknown }) => {
  response.writeHead(answer.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(answer.body));
};

export const sendLambdaResult = (response: ServerResponse, result: APIGatewayProxyStructuredResultV2) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
};

const problem = (status: number, title: string, detail: string) => ({
  type: 'about:blank',
  title,
  status,
  detail,
});

/**
 * The local front door: the intake route as API Gateway would hand it to the intake handler, and the
 * local-only routes. Until `routes()` has something (DynamoDB Local still starting) every route answers 503.
 */
export const createLocalHttpServer = (routes: () => LocalRoutes | undefined): Server =>
  createServer(async (request, response) => {
    const receivedAt = new Date();
    const url = request.url ?? '/';
    const method = request.method ?? 'GET';
    const path = url.split('?')[0];
    try {
      const body = await readBody(request);
      const ready = routes();
      if (path === '/_local/health' && method === 'GET') {
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
        return;
      }
      if (!ready) {
        sendJson(response, 503, problem(503, 'Starting', 'The local pipeline is still starting.'));
        return;
      }
      // Every method: the stack routes POST and ANY on this path to the intake, which answers the others 405.
      const intake = INTAKE_ROUTE.exec(url);
      if (intake) {
        const sourceId = decodedPathPart(intake[1] ?? '');
        if (sourceId === undefined) {
          sendJson(response, 400, { message: 'Bad Request' });
          return;
        }
        const event = routedGatewayEvent(request, body, receivedAt, {
          path: '/v1/sources/{sourceId}/events',
          methods: ['POST'],
          pathParameters: { sourceId },
        });
        sendLambdaResult(response, await ready.intake(event));
        return;
      }
      if (path === '/_local/outbox' && method === 'GET') {
        sendJson(response, 200, ready.outbox());
        return;
      }
      if (path === '/_local/status' && method === 'GET') {
        sendJson(response, 200, ready.status());
        return;
      }
      if (path === '/_local/clock' && method === 'POST') {
        let parsed: z.ZodSafeParseResult<z.infer<typeof ClockAdvanceRequest>>;
        try {
          parsed = ClockAdvanceRequest.safeParse(JSON.parse(body.toString('utf8')));
        } catch {
          sendJson(
            response,
            400,
            problem(400, 'Malformed', 'The body must be JSON like {"advance":"PT72H"}.'),
          );
          return;
        }
        if (!parsed.success) {
          sendJson(response, 400, problem(400, 'Malformed', z.prettifyError(parsed.error)));
          return;
        }
        sendJson(response, 200, await ready.advanceClock(parsed.data.advance));
        return;
      }
      sendGatewayAnswer(response, gatewayAnswers.notFound);
    } catch (error) {
      answerThrown(response, error, () => sendJson(response, 500, { message: 'Internal Server Error' }));
    }
  });

/**
 * What a local front door answers when reading or handling a request threw: API Gateway's own 413 for a body
 * over its limit, else `internalError` (Lambda's answer to an unhandled error). The cause goes to the
 * runtime's log, never to the caller.
 */
export const answerThrown = (response: ServerResponse, error: unknown, internalError: () => void) => {
  if (error instanceof PayloadTooLarge) {
    response.setHeader('connection', 'close');
    sendGatewayAnswer(response, gatewayAnswers.tooLarge);
    return;
  }
  console.error(error);
  if (!response.headersSent) internalError();
};

/** Listens on host:port, or fails with a message that says the port is taken. */
export const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((done, fail) => {
    const onError = (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on ${host} is already in use: stop what is using it, or choose another with PORT=<port> or --port <port>`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : port);
    });
  });
