import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { MIMEType } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { utf8Text } from '../../shared/intake/check-request';

export interface LocalRequest {
  method: string;
  /** The path and query as received, e.g. `/v1/sources/met-police/events?x=1`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  /** The real time of the request (API Gateway stamps it; the handler reads its own clock). */
  receivedAt: Date;
}

/** API Gateway joins a repeated header's values with commas; cookies travel in their own field. */
const lambdaHeaders = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([name, value]) => name !== 'cookie' && value !== undefined)
      .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : String(value)]),
  );

/**
 * Which bodies an HTTP API hands over as text: `text/*`, `application/json`, `application/xml` and
 * `application/javascript` (as observed against AWS; its documentation lists none). Any other type, none at
 * all (and `application/cloudevents+json`) comes base64-encoded.
 */
const TEXT_TYPES = ['application/json', 'application/xml', 'application/javascript'];

const isTextType = (contentType: string | undefined): boolean => {
  try {
    const media = new MIMEType(contentType ?? '');
    return media.type === 'text' || TEXT_TYPES.includes(media.essence);
  } catch {
    return false;
  }
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's request time format: `12/Mar/2026:19:03:58 +0000`. */
const requestTime = (at: Date) => {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
};

/** The event an HTTP API (payload format 2.0) hands a Lambda for this request. */
export const apiGatewayEvent = (request: LocalRequest): APIGatewayProxyEventV2 => {
  const [rawPath = '/', rawQueryString = ''] = request.url.split(/\?(.*)/s);
  const headers = lambdaHeaders(request.headers);
  // Bytes that are not UTF-8 are passed base64-encoded whatever the type, so the function sees them exactly
  // (turning them into text would replace them, and its answer would be the signature's 401, not the 400).
  const text = isTextType(headers['content-type']) ? utf8Text(request.body) : undefined;
  const query = new URLSearchParams(rawQueryString);
  const host = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(request.headers.cookie ? { cookies: String(request.headers.cookie).split(/;\s*/) } : {}),
    ...(query.size > 0 ? { queryStringParameters: Object.fromEntries(query) } : {}),
    pathParameters: request.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: request.routeKey,
      stage: '$default',
      time: requestTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(request.body.length > 0 ? { body: text ?? request.body.toString('base64') } : {}),
    isBase64Encoded: request.body.length > 0 && text === undefined,
  };
};

/**
 * The event for a request a local front door received on one of the stack's routes. The route key is the
 * method's own when the stack routes that method by name, else the route's ANY, as API Gateway picks it.
 */
export const routedGatewayEvent = (
  request: IncomingMessage,
  body: Buffer,
  receivedAt: Date,
  route: { path: string; methods: string[]; pathParameters: Record<string, string> },
): APIGatewayProxyEventV2 => {
  const method = request.method ?? 'GET';
  return apiGatewayEvent({
    method,
    url: request.url ?? '/',
    headers: request.headers,
    body,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    routeKey: `${route.methods.includes(method) ? method : 'ANY'} ${route.path}`,
    pathParameters: route.pathParameters,
    receivedAt,
  });
};
