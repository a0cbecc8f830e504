import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { webhookSources } from '../../shared/council/council-schema';
import { formatLocal } from '../../shared/time/instant';
import { loadCouncilFile } from '../councils/council-files';
import { demoEpisode } from './demo-episode';
import { localSourceSecrets } from './local-source-secrets';
import { isSettled, LocalStatus } from './local-status';
import { OutboxEntry } from './outbox-mailer';
import { recordFromLink, stepLinkIn } from './record-from-link';
import { sendSignedEvent } from './webhook-sender';

/**
 * `npm run demo [-- --url http://127.0.0.1:3000]`: against a running `npm start`, posts one realistic signed
 * episode for the council it runs and prints what each agency received; its last step is recorded as a
 * worker would, from the link in an email (the page opened, its form submitted). Signs with the runtime's own
 * source secrets (WEBHOOK_SECRET_<SOURCE_ID>, else the ones it generated in its data folder).
 */
const { values } = parseArgs({
  options: { url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? '3000'}` } },
});
const baseUrl = values.url.replace(/\/$/, '');

const getJson = async (path: string) => {
  const response = await fetch(`${baseUrl}${path}`).catch(() => undefined);
  if (!response?.ok) {
    console.error(
      `No local pipeline answers at ${baseUrl}: start it first with \`npm start\` (or pass --url).`,
    );
    process.exit(1);
  }
  return response.json();
};

const status = async () => LocalStatus.parse(await getJson('/_local/status'));
const outbox = async () => z.array(OutboxEntry).parse(await getJson('/_local/outbox'));

/** The dispatcher and the notify function work after intake answers: wait until they have. */
const settled = async () => {
  const deadline = Date.now() + 15_000;
  while (!isSettled(await status()) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
  }
};

const indent = (text: string, by: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');

const first = await status();
const council = loadCouncilFile(first.council);
const secrets = localSourceSecrets(Object.keys(webhookSources(council)), {
  env: process.env,
  file: join(first.dataDir, 'source-secrets.json'),
});
const agencyByAddress = new Map(
  Object.values(council.agencies).map((agency) => [agency.inbox.address.toLowerCase(), agency.name]),
);
const episodeRef = `DEMO-${Date.now().toString(36).toUpperCase()}`;
let seen = (await outbox()).length;

console.log(`Demo for ${council.name}: episode ${episodeRef}, against ${baseUrl}\n`);
for (const [index, step] of demoEpisode(council, first.now, episodeRef).entries()) {
  console.log(`${'='.repeat(100)}\n${index + 1}. ${step.say}`);
  if ('link' in step) {
    // The email the worker opens: the latest about this episode in their inbox that offers the step.
    const offering = (await outbox())
      .filter((email) => email.to.includes(step.link.inbox) && email.subject.includes(`(ref ${episodeRef})`))
      .map((email) => stepLinkIn(email.text, step.link.step))
      .filter((link): link is string => link !== undefined)
      .at(-1);
    if (!offering) {
      console.error(`   No email to ${step.link.inbox} offers a link for this step.`);
      process.exit(1);
    }
    console.log(`   The link in their email: ${offering}`);
    const { opened, recorded } = await recordFromLink(offering, step.link.fields);
    console.log(`   GET  the page: ${opened.status} "${opened.title}"`);
    console.log(`   POST the form: ${recorded.status} "${recorded.title}"`);
    console.log(indent(recorded.text, '   | '));
  } else if ('advance' in step) {
    const response = await fetch(`${baseUrl}/_local/clock`, {
      method: 'POST',
      body: JSON.stringify({ advance: step.advance }),
    });
    const moved = z.object({ now: z.string() }).parse(await response.json());
    console.log(
      `   POST /_local/clock {"advance":"${step.advance}"}: it is now ${formatLocal(moved.now, council.timeZone)}`,
    );
  } else {
    const secret = secrets.find((s) => s.sourceId === step.sourceId)?.secrets[0] ?? '';
    const sent = await sendSignedEvent(baseUrl, step.sourceId, secret, step.event);
    console.log(`   ${step.sourceId} sends ${step.event.type}: ${sent.status} ${JSON.stringify(sent.body)}`);
    if (sent.status === 401) {
      console.error('   The signature was refused: is the runtime using other secrets (WEBHOOK_SECRET_...)?');
      process.exit(1);
    }
  }
  await settled();
  const sent = (await outbox()).slice(seen);
  seen += sent.length;
  // Subjects carry the episode ref: emails about earlier episodes (their deadlines passing too) are counted only.
  const emails = sent.filter((email) => email.subject.includes(`(ref ${episodeRef})`));
  if (emails.length === 0) console.log('   (no email)');
  if (emails.length < sent.length) {
    console.log(
      `   (and ${sent.length - emails.length} email(s) about earlier episodes in this data folder)`,
    );
  }
  for (const email of emails) {
    const to = email.to.map(
      (address) => `${agencyByAddress.get(address.toLowerCase()) ?? 'Named contact'} <${address}>`,
    );
    console.log(`\n   To:      ${to.join(', ')}`);
    if (email.cc.length > 0) console.log(`   Cc:      ${email.cc.join(', ')}`);
    console.log(`   Subject: ${email.subject}`);
    console.log(`   File:    ${join(first.outbox.dir, email.file)}\n`);
    console.log(indent(email.text, '   | '));
  }
  console.log('');
}
console.log(`Every email is in ${baseUrl}/_local/outbox and, as .eml files, in ${first.outbox.dir}/`);
