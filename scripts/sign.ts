import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sourceSecretVariable } from '../shared/adapters/env-secret-source';
import { parseEvent } from '../shared/events/parse-event';
import { signatureHeaders } from '../shared/intake/webhook-signature';

/**
 * Signs an event file as a source would, with the Standard Webhooks scheme intake verifies:
 *   npm run sign -- --source met-police --secret whsec_... --file event.json [--curl [--url http://127.0.0.1:3000]]
 * The secret may instead come from WEBHOOK_SECRET_<SOURCE_ID>, as the local runtime reads it.
 * The body is signed exactly as it is in the file, so send the file's bytes unchanged.
 */
const usage =
  'usage: npm run sign -- --source SOURCE_ID --secret whsec_... --file EVENT.json [--curl] [--url http://127.0.0.1:3000]';

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    secret: { type: 'string' },
    file: { type: 'string' },
    curl: { type: 'boolean', default: false },
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
  },
});

const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(2);
};

const source = values.source ?? fail('--source is required');
const secret =
  values.secret ??
  process.env[sourceSecretVariable(source)] ??
  fail('--secret is required (or set WEBHOOK_SECRET_<SOURCE_ID>)');
const body = readFileSync(values.file ?? fail('--file is required'), 'utf8');

let json: unknown;
try {
  json = JSON.parse(body);
} catch {
  fail(`${values.file} is not JSON`);
}
// Still signed when it breaks the contract, so an integrator can see the 400 intake answers.
const parsed = parseEvent(json);
if (!parsed.ok) {
  console.error('warning: this event breaks the v1 contract; intake will answer 400:');
  for (const issue of parsed.issues) console.error(`  ${issue.field}: ${issue.message}`);
}
const id = (json as { id?: unknown }).id;
const msgId =
  typeof id === 'string' ? id : fail('the event has no string "id"; webhook-id must be the event id');
const headers = signatureHeaders(secret, msgId, body);

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

if (values.curl) {
  const endpoint = `${values.url.replace(/\/$/, '')}/v1/sources/${encodeURIComponent(source)}/events`;
  console.log(
    [
      `curl -sS -i -X POST ${shellQuote(endpoint)}`,
      `-H 'content-type: application/json'`,
      ...Object.entries(headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
      `--data-binary ${shellQuote(body)}`,
    ].join(' \\\n  '),
  );
} else {
  for (const [name, value] of Object.entries(headers)) console.log(`${name}: ${value}`);
}
