import * as z from 'zod';
import type { DomainErrorKind } from '../domain-error';
import {
  Child,
  ChildIdentifiers,
  Concerns,
  EpisodeRef,
  type EventType,
  eventDataSchemas,
  eventTypes,
  Instant,
  InterviewSetting,
  PipelineEvent,
  RecordedBy,
  ReportedBy,
  RiskGradeInput,
  StrategyOutcome,
} from '../events/event-schemas';
import { RiskFactor } from '../events/risk-factors';
import { problemHeaders } from '../intake/problem-document';
import {
  AcceptedAnswer,
  FieldIssueSchema,
  GatewayAnswer,
  gatewayAnswers,
  ProblemDocumentSchema,
} from './intake-answers';
import {
  acceptedExample,
  duplicateExample,
  eventExamples,
  problemExamples,
  serverErrorExample,
} from './wire-examples';

/** "prevention_interview.completed" -> "PreventionInterviewCompleted": component names without dots. */
const pascal = (words: string): string =>
  words
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

export const eventComponentName = (type: EventType): string => `${pascal(type)}Event`;

const dataComponentNames: Record<EventType, string> = {
  'missing.reported': 'ReportData',
  'absence.reported': 'ReportData',
  'missing.risk_assessed': 'RiskAssessedData',
  'missing.found': 'FoundData',
  'prevention_interview.completed': 'PreventionInterviewCompletedData',
  'rhi.offered': 'RhiOfferedData',
  'rhi.completed': 'RhiCompletedData',
  'rhi.declined': 'RhiDeclinedData',
  'strategy_discussion.held': 'StrategyDiscussionHeldData',
  'referral.acknowledged': 'ReferralAcknowledgedData',
  'missing.reviewed': 'MissingReviewedData',
  'absence.safety_confirmed': 'AbsenceSafetyConfirmedData',
  'episode.withdrawn': 'WithdrawnData',
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * Every wire schema as an OpenAPI 3.1 component (JSON Schema 2020-12), generated from the zod schemas,
 * with the shared pieces (instants, the child, concerns) as references so each is described once.
 */
const componentSchemas = (): Record<string, Record<string, unknown>> => {
  const registry = z.registry<{ id: string }>();
  registry.add(Instant, { id: 'Instant' });
  registry.add(EpisodeRef, { id: 'EpisodeRef' });
  registry.add(ChildIdentifiers, { id: 'ChildIdentifiers' });
  registry.add(Child, { id: 'Child' });
  registry.add(ReportedBy, { id: 'ReportedBy' });
  registry.add(RiskGradeInput, { id: 'RiskGrade' });
  registry.add(RiskFactor, { id: 'RiskFactor' });
  registry.add(Concerns, { id: 'Concerns' });
  registry.add(InterviewSetting, { id: 'InterviewSetting' });
  registry.add(RecordedBy, { id: 'RecordedBy' });
  registry.add(StrategyOutcome, { id: 'StrategyOutcome' });
  for (const [type, schema] of Object.entries(eventDataSchemas)) {
    if (!registry.has(schema)) registry.add(schema, { id: dataComponentNames[type as EventType] });
  }
  for (const type of eventTypes) {
    registry.add(z.getDiscriminatedOption(PipelineEvent, type), { id: eventComponentName(type) });
  }
  registry.add(PipelineEvent, { id: 'PipelineEvent' });
  registry.add(AcceptedAnswer, { id: 'AcceptedAnswer' });
  registry.add(FieldIssueSchema, { id: 'FieldIssue' });
  registry.add(ProblemDocumentSchema, { id: 'ProblemDocument' });
  registry.add(GatewayAnswer, { id: 'GatewayAnswer' });

  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    // What a sender may post: defaults optional, the legacy "absent" risk grade allowed.
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const components: Record<string, Record<string, unknown>> = Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
  describeIdentifiers(components.ChildIdentifiers);
  components.PipelineEvent = {
    ...components.PipelineEvent,
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(eventTypes.map((type) => [type, ref(eventComponentName(type)).$ref])),
    },
  };
  return components;
};

/** What the patterns cannot say: the check digits the endpoint verifies, and what the identifiers are for. */
const describeIdentifiers = (schema: Record<string, unknown> | undefined) => {
  const properties = schema?.properties as Record<string, Record<string, unknown>> | undefined;
  if (!properties?.nhsNumber || !properties.upn || !properties.localId || !schema) {
    throw new Error('ChildIdentifiers has no nhsNumber, upn and localId to describe');
  }
  schema.description =
    'Every identifier you hold: the child is found through any one of them (the README states the matching rules).';
  properties.nhsNumber.description =
    'Ten digits, optionally spaced 3 3 4; must pass the Modulus 11 check digit (400 naming the field otherwise).';
  properties.upn.description =
    'The Unique Pupil Number, either case; its first character must be the DfE check letter (400 naming the field otherwise).';
  properties.localId.description = "The council's local child identifier (SSDA903 `CHILD`), as held.";
};

const problemAnswers: Record<DomainErrorKind, string> = {
  invalid:
    'Malformed: not JSON, or the event breaks the wire contract (an NHS number failing its check digit or a UPN its check letter among them). `errors` names each failing field; nothing is stored. Fix the event; do not retry it unchanged.',
  unauthorised:
    'The signature is missing, wrong or stale (webhook-timestamp more than 5 minutes from the server clock). Check the secret and the clock, sign again and retry.',
  forbidden:
    'This source may not send this event type. Ask the council to allow it, or send it from the right source.',
  not_found:
    'No such source in this council: check the sourceId in the path. A path that is no route of the API at all is answered by API Gateway itself, before the pipeline, as plain JSON: `{"message":"Not Found"}`.',
  conflict:
    'The event conflicts with the episode as it stands (for example an event for an episode not yet reported, or for a withdrawn one; an interview before the child is found; a `referral.acknowledged` when no immediate-harm referral is awaiting acknowledgement; a `missing.reviewed` for an absence or an `absence.safety_confirmed` for a missing child). Send the missing events first, or correct the episodeRef.',
  too_large:
    'The body is over 64 KiB. Send only the fields the contract names. A body over 10 MB is refused by API Gateway itself, before the pipeline, as plain JSON: `{"message":"Request Entity Too Large"}`.',
  method_not_allowed:
    'Never the answer to a POST: any other method on this path (GET, PUT, DELETE, ...) is answered 405 with `Allow: POST`.',
  unsupported_media_type:
    'The `content-type` header is missing or not `application/cloudevents+json` or `application/json` (parameters are allowed; a `charset`, if given, must be UTF-8). Send the event as JSON with one of those types.',
  unprocessable:
    'Valid JSON that breaks a domain rule: an adult, a return before the child was last seen, or a time in the future. One rule covers every time at which something happened (the envelope `time` and `data.lastSeenAt`, `assessedAt`, `foundAt`, `returnedHomeAt`, `offeredAt`, `completedAt`, `declinedAt`, `heldAt`, `acknowledgedAt`, `reviewedAt`, `confirmedAt`; not `appointmentAt`): none may be more than 5 minutes after the server clock. `errors` names each field. Correct the data.',
};

/** The statuses API Gateway answers itself too, with its own plain JSON body. */
const gatewayAnswerOf = (status: number) =>
  Object.values(gatewayAnswers).find((answer) => answer.status === status)?.body;

const problemResponses = () =>
  Object.fromEntries(
    (Object.entries(problemAnswers) as [DomainErrorKind, string][]).map(([kind, description]) => {
      const example = problemExamples[kind];
      const gateway = gatewayAnswerOf(example.status);
      const headers = Object.entries(problemHeaders(kind)).map(([name, value]) => [
        name.replace(/^./, (first) => first.toUpperCase()),
        { description: `Always \`${value}\`.`, schema: { type: 'string', const: value } },
      ]);
      return [
        String(example.status),
        {
          description,
          ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
          content: {
            'application/problem+json': { schema: ref('ProblemDocument'), example },
            ...(gateway ? { 'application/json': { schema: ref('GatewayAnswer'), example: gateway } } : {}),
          },
        },
      ];
    }),
  );

const header = (name: string, description: string, schema: Record<string, unknown>, example: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema,
  example,
});

/** The v1 intake contract as an OpenAPI 3.1 document. docs/openapi.json is this, written by `npm run openapi`. */
export const openApiDocument = () => ({
  openapi: '3.1.0',
  info: {
    title: 'Missing-child episode pipeline: intake',
    version: '1.0.0',
    summary: 'Signed CloudEvents webhooks from police, school and council systems about missing children.',
    description:
      'Post one CloudEvents 1.0 structured JSON event per request, signed with Standard Webhooks headers. ' +
      'The endpoint is idempotent on the event `id` per source: a retry with the same `id` answers 200 with ' +
      '`"duplicate": true` and changes nothing. Generated from the zod schemas; do not edit by hand.',
  },
  servers: [
    { url: 'http://127.0.0.1:3000', description: 'The local runtime (`npm start`).' },
    {
      url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
      description: "A council's deployed stack (the URL is an output of its stack).",
      variables: {
        apiId: { default: 'example', description: 'The HTTP API id.' },
        region: { default: 'eu-west-2', description: 'The AWS region.' },
      },
    },
  ],
  paths: {
    '/v1/sources/{sourceId}/events': {
      post: {
        operationId: 'postEvent',
        summary: 'Post an event about a missing or absent child',
        description:
          'Verifies the signature with the source’s secret(s), checks the source may send this type, validates ' +
          'the event and appends it to its episode, then notifies the agencies and tracks the deadlines. ' +
          'The checks answer in this order: 405 method, 404 source, 413 size, 415 content type, 401 signature, ' +
          '400 UTF-8 and JSON, 400 event type, 403 type not allowed for the source, 400 `id`, 400 schema, then ' +
          '409 and 422 against the episode. Other methods on this path are answered 405 (`Allow: POST`).',
        parameters: [
          {
            name: 'sourceId',
            in: 'path',
            required: true,
            description: 'The sending system, as named in the council file (e.g. `met-police`, `schools`).',
            schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
            example: 'met-police',
          },
          header(
            'webhook-id',
            'The event `id`.',
            { type: 'string', minLength: 1, maxLength: 200 },
            eventExamples['missing.reported'].id,
          ),
          header(
            'webhook-timestamp',
            'When the request was signed, in unix seconds; accepted within 5 minutes of the server clock.',
            { type: 'string', pattern: '^[0-9]+$' },
            '1792692300',
          ),
          header(
            'webhook-signature',
            'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, keyed with ' +
              'the source secret (the part after `whsec_`, base64-decoded). Several space-separated signatures are ' +
              'each tried, so a secret can be rotated without a gap.',
            { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
            'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
          ),
        ],
        requestBody: {
          required: true,
          description:
            'One CloudEvent in structured JSON mode, encoded in UTF-8, as `application/cloudevents+json` or ' +
            '`application/json` (parameters allowed; a `charset`, if given, must be UTF-8). Any other content ' +
            'type, or none, is answered 415.',
          content: {
            'application/cloudevents+json': { schema: ref('PipelineEvent') },
            'application/json': {
              schema: ref('PipelineEvent'),
              examples: Object.fromEntries(
                Object.values(eventExamples).map((event) => [
                  event.type,
                  { summary: event.type, value: event },
                ]),
              ),
            },
          },
        },
        responses: {
          '202': {
            description: 'Accepted: the event is stored and its effects are under way.',
            content: { 'application/json': { schema: ref('AcceptedAnswer'), example: acceptedExample } },
          },
          '200': {
            description:
              'A repeated delivery of an event already accepted (same source and `id`): nothing changes.',
            content: { 'application/json': { schema: ref('AcceptedAnswer'), example: duplicateExample } },
          },
          ...problemResponses(),
          '500': {
            description:
              'The pipeline failed part-way. Send the same delivery again later (same `id` and body): what was done is not done twice.',
            content: {
              'application/problem+json': { schema: ref('ProblemDocument'), example: serverErrorExample },
            },
          },
        },
      },
    },
  },
  components: {
    schemas: componentSchemas(),
  },
});

/** The document exactly as docs/openapi.json holds it. */
export const openApiJson = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
