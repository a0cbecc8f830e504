import { readFileSync } from 'node:fs';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { eventTypes, PipelineEvent } from '../../../shared/events/event-schemas';
import { ProblemDocumentSchema } from '../../../shared/openapi/intake-answers';
import { openApiDocument, openApiJson } from '../../../shared/openapi/openapi-document';

type Problems = Awaited<ReturnType<typeof lintFromString>>;

const lint = async (document: unknown): Promise<Problems> => {
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      // The Standard Webhooks HMAC has no OpenAPI security type: the three headers are required parameters.
      'security-defined': 'off',
      // The project carries no licence yet.
      'info-license': 'off',
    },
  });
  return lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
};

const describeProblems = (problems: Problems) =>
  problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);

const operation = () => openApiDocument().paths['/v1/sources/{sourceId}/events'].post;

describe('the OpenAPI document', () => {
  it('docs/openapi.json is what the zod schemas generate today', () => {
    const committed = readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8');
    expect(
      committed === openApiJson(),
      'docs/openapi.json drifted from the schemas: run npm run openapi',
    ).toBe(true);
  });

  it('passes the Redocly recommended rules, examples checked against their schemas', async () => {
    expect(describeProblems(await lint(openApiDocument()))).toEqual([]);
  });

  it('the linter rejects an example that breaks its schema', async () => {
    const document = structuredClone(openApiDocument());
    const examples = document.paths['/v1/sources/{sourceId}/events'].post.requestBody.content[
      'application/json'
    ].examples as Record<string, { value: { data: { child?: { dateOfBirth: string } } } }>;
    const child = examples['missing.reported']?.value.data.child;
    if (!child) throw new Error('no missing.reported example');
    child.dateOfBirth = '14/05/2011';
    const problems = await lint(document);
    expect(problems.map((p) => p.ruleId)).toContain('no-invalid-media-type-examples');
  });

  it('has an example of every event type, each accepted by the wire schema', () => {
    const examples = operation().requestBody.content['application/json'].examples;
    expect(Object.keys(examples).sort()).toEqual([...eventTypes].sort());
    for (const [type, { value }] of Object.entries(examples)) {
      const parsed = PipelineEvent.safeParse(value);
      expect(parsed.error?.issues, type).toBeUndefined();
      expect(parsed.data?.type).toBe(type);
    }
  });

  it('describes the accepted, duplicate and every error answer, each error with a problem document example', () => {
    const responses = operation().responses as Record<
      string,
      { content: Record<string, { example: unknown }> }
    >;
    expect(Object.keys(responses).sort()).toEqual(
      ['200', '202', '400', '401', '403', '404', '405', '409', '413', '415', '422', '500'].sort(),
    );
    for (const status of ['400', '401', '403', '404', '405', '409', '413', '415', '422', '500']) {
      const example = responses[status]?.content['application/problem+json']?.example;
      expect(ProblemDocumentSchema.parse(example).status).toBe(Number(status));
    }
    expect(responses['200']?.content['application/json']?.example).toMatchObject({ duplicate: true });
    expect(responses['202']?.content['application/json']?.example).toMatchObject({ duplicate: false });
  });

  it("gives API Gateway's own plain JSON answers beside the function's 404 and 413, and Allow with the 405", () => {
    const responses = operation().responses as Record<
      string,
      { headers?: Record<string, { schema: unknown }>; content: Record<string, { example: unknown }> }
    >;
    expect(responses['404']?.content['application/json']?.example).toEqual({ message: 'Not Found' });
    expect(responses['413']?.content['application/json']?.example).toEqual({
      message: 'Request Entity Too Large',
    });
    expect(responses['405']?.headers?.Allow?.schema).toEqual({ type: 'string', const: 'POST' });
    const gatewayOnly = Object.entries(responses).filter(([, r]) => r.content['application/json']);
    expect(gatewayOnly.map(([status]) => status).sort()).toEqual(['200', '202', '404', '413']);
  });

  it('takes the event as application/cloudevents+json or application/json', () => {
    expect(Object.keys(operation().requestBody.content).sort()).toEqual([
      'application/cloudevents+json',
      'application/json',
    ]);
  });

  it('requires the three Standard Webhooks headers', () => {
    const headers = operation()
      .parameters.filter((p) => p.in === 'header' && p.required)
      .map((p) => p.name);
    expect(headers).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });

  it('selects the event schema by its type, for every type', () => {
    const { discriminator, oneOf } = openApiDocument().components.schemas.PipelineEvent as {
      discriminator: { propertyName: string; mapping: Record<string, string> };
      oneOf: { $ref: string }[];
    };
    expect(discriminator.propertyName).toBe('type');
    expect(Object.keys(discriminator.mapping).sort()).toEqual([...eventTypes].sort());
    expect(oneOf.map((o) => o.$ref).sort()).toEqual(Object.values(discriminator.mapping).sort());
  });
});
