import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signatureHeaders } from '../../../shared/intake/webhook-signature';

export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

export interface SignOptions {
  secret: string;
  /** When the sender signed; now by default. */
  signedAt?: Date;
  /** The webhook-id header; the body's `id` by default. */
  webhookId?: string;
  /** Sign this text instead of the body sent (a tampered body). */
  signedBody?: string;
  base64?: boolean;
}

/**
 * An API Gateway HTTP API (payload 2.0) request as a sender's correctly signed POST would arrive. A body
 * given as bytes (a Buffer) is signed as those bytes and passed base64-encoded, as the gateway passes binary.
 */
export const signedRequest = (
  sourceId: string,
  body: unknown,
  options: SignOptions,
): APIGatewayProxyEventV2 => {
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const id = options.webhookId ?? (body as { id?: string }).id ?? 'msg-1';
  const signedAt = options.signedAt ?? new Date();
  const signed = signatureHeaders(options.secret, id, options.signedBody ?? bytes, signedAt);
  const base64 = options.base64 ?? Buffer.isBuffer(body);
  return {
    version: '2.0',
    routeKey: 'POST /v1/sources/{sourceId}/events',
    rawPath: `/v1/sources/${sourceId}/events`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...signed },
    pathParameters: { sourceId },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.org',
      domainPrefix: 'example',
      http: {
        method: 'POST',
        path: `/v1/sources/${sourceId}/events`,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'test',
      },
      requestId: 'req',
      routeKey: 'POST /v1/sources/{sourceId}/events',
      stage: '$default',
      time: '22/Oct/2026:18:05:00 +0000',
      timeEpoch: signedAt.getTime(),
    },
    body: bytes.toString(base64 ? 'base64' : 'utf8'),
    isBase64Encoded: base64,
  };
};
