import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acceptDelivery, type IntakePorts } from '../../shared/intake/accept-delivery';
import {
  PROBLEM_CONTENT_TYPE,
  type ProblemDocument,
  problemDocument,
  problemHeaders,
  serverProblem,
} from '../../shared/intake/problem-document';

export interface IntakeDeps extends IntakePorts {
  logger: Logger;
}

const answer = (
  statusCode: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
) => ({
  statusCode,
  headers: { 'content-type': contentType, ...headers },
  body: JSON.stringify(body),
});

const problem = (document: ProblemDocument, headers?: Record<string, string>) =>
  answer(document.status, document, PROBLEM_CONTENT_TYPE, headers);

/** API Gateway lower-cases header names in payload 2.0; a local caller might not. */
const lowerCased = (headers: APIGatewayProxyEventV2['headers']) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));

/**
 * /v1/sources/{sourceId}/events (HTTP API, payload 2.0): the method, raw body and headers in, the wire
 * contract's answer out (202 for a POST it accepts; 405 for any other method). Logs carry ids and field
 * names only, never a body.
 */
export const createIntakeHandler = (deps: IntakeDeps) => {
  const { logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const sourceId = event.pathParameters?.sourceId ?? '';
    const body = event.body ?? '';
    // Bytes, not text: the signature covers the bytes as sent, and only they can show a body that is not UTF-8.
    const raw = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    const headers = lowerCased(event.headers);
    const ids = { sourceId, webhookId: headers['webhook-id'] };
    try {
      const { method } = event.requestContext.http;
      const outcome = await acceptDelivery(deps, { method, sourceId, body: raw, headers });
      if (!outcome.ok) {
        const document = problemDocument(outcome.error);
        // deliveryRefused and intakeFailed are counted by the operators' alarms (per source, and in all).
        logger.warn('event refused', {
          deliveryRefused: true,
          ...ids,
          status: document.status,
          fields: document.errors.map((e) => e.field).join(','),
        });
        return problem(document, problemHeaders(outcome.error.kind));
      }
      const { accepted } = outcome;
      logger.info(accepted.duplicate ? 'event redelivered' : 'event accepted', { ...ids, ...accepted });
      return answer(accepted.duplicate ? 200 : 202, accepted);
    } catch (error) {
      // Only the error's name and message: AWS errors name resources, not a child's details.
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      logger.error('event not processed', { intakeFailed: true, ...ids, error: { name, message } });
      return problem(serverProblem());
    }
  };
};
