import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type ActionView,
  actionPageHeaders,
  renderActionPage,
  viewStatus,
} from '../../shared/actions/action-page';
import { type ActionPorts, recordStep, showStep } from '../../shared/actions/record-step';

export interface ActionsDeps extends ActionPorts {
  logger: Logger;
  /** Where the pages are served ("https://abc.execute-api.eu-west-2.amazonaws.com"): a form is only taken from there. */
  origin: string;
}

/** A form of a few fields is well under a kilobyte; this leaves room and refuses anything abusive. */
export const MAX_FORM_BYTES = 16 * 1024;

const FORM_TYPE = 'application/x-www-form-urlencoded';

const lowerCased = (headers: APIGatewayProxyEventV2['headers']) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));

/**
 * Why a POST is refused before its form is read, if it is: a form sent from another site (CSRF: Fetch
 * Metadata's Sec-Fetch-Site says where it came from, and Origin when the browser names one: under the page's
 * no-referrer policy browsers send `Origin: null`; the token in the form is the other half of the defence),
 * in another encoding, or too large.
 */
const postRefusal = (
  headers: Record<string, string | undefined>,
  body: Buffer,
  origin: string,
): ActionView | undefined => {
  const from = headers.origin;
  const site = headers['sec-fetch-site'];
  const foreignOrigin = from !== undefined && from !== 'null' && from !== origin;
  if (foreignOrigin || (site !== undefined && !['same-origin', 'none'].includes(site))) {
    return { kind: 'refused', why: 'The form was sent from another site, so nothing was recorded.' };
  }
  if ((headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() !== FORM_TYPE) {
    return { kind: 'refused', why: 'The form was not sent as a web form, so nothing was recorded.' };
  }
  if (body.byteLength > MAX_FORM_BYTES) {
    return { kind: 'refused', why: 'The form was too large, so nothing was recorded.' };
  }
  return undefined;
};

const answer = (view: ActionView, extra: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: viewStatus(view),
  headers: { ...actionPageHeaders, ...extra },
  body: renderActionPage(view),
});

/**
 * /v1/actions (HTTP API, payload 2.0): GET ?token=... shows the step's page, POST records its form (the
 * token rides in the form, so it is in no URL a POST leaves behind). Logs carry the outcome only: never the
 * token, which is a credential, nor anything typed into the form.
 */
export const createActionsHandler = (deps: ActionsDeps) => {
  const { logger } = deps;
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const { method } = event.requestContext.http;
    const path = event.rawPath;
    try {
      let view: ActionView;
      if (method === 'GET' || method === 'HEAD') {
        view = await showStep(deps, new URLSearchParams(event.rawQueryString).get('token'), path);
      } else if (method === 'POST') {
        const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
        view =
          postRefusal(lowerCased(event.headers), body, deps.origin) ??
          (await recordStep(deps, new URLSearchParams(body.toString('utf8')), path));
      } else {
        const refused: ActionView = { kind: 'refused', why: 'This page takes GET and POST only.' };
        return { ...answer(refused, { allow: 'GET, POST' }), statusCode: 405 };
      }
      // actionLinkRefused is what an operator counts: links that did not check out, or forms from elsewhere.
      logger.info('action page', {
        outcome: view.kind,
        status: viewStatus(view),
        ...(['invalid', 'expired', 'refused'].includes(view.kind) ? { actionLinkRefused: true } : {}),
      });
      return answer(view);
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      logger.error('action page failed', { actionPageFailed: true, error: { name, message } });
      return answer({ kind: 'failed' });
    }
  };
};
