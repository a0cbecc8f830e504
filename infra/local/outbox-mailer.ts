import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Clock, Mailer, OutgoingEmail } from '../../shared/ports';
import { appendJsonLines, readJsonLines } from './json-lines';

export const OutboxEntry = z.object({
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  sentAt: z.string(),
  messageId: z.string(),
  /** The same email as a .eml file a mail client opens, relative to the outbox folder. */
  file: z.string(),
  /** The send's identity: a send with one already in the outbox is not written again. */
  sendKey: z.optional(z.string()),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export interface OutboxMailer extends Mailer {
  /** Every email sent, oldest first. */
  read(): OutboxEntry[];
  /** How many emails have been sent, without copying them. */
  count(): number;
  dir: string;
}

/** RFC 2047, so a subject with "£" or "’" survives every mail client. */
const headerText = (text: string) =>
  /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;

/** Base64 in lines of 76 (RFC 2045), cut by position: a regex over a long body costs several times more. */
const base64Lines = (text: string) => {
  const encoded = Buffer.from(text).toString('base64');
  const lines: string[] = [];
  for (let start = 0; start < encoded.length; start += 76) lines.push(encoded.slice(start, start + 76));
  return lines.join('\r\n');
};

const emlOf = (email: OutgoingEmail, from: string, sentAt: string, messageId: string): string => {
  const boundary = `outbox-${messageId}`;
  return [
    `From: ${from}`,
    `To: ${email.to.join(', ')}`,
    ...(email.cc.length > 0 ? [`Cc: ${email.cc.join(', ')}`] : []),
    `Subject: ${headerText(email.subject)}`,
    `Date: ${new Date(sentAt).toUTCString()}`,
    `Message-ID: <${messageId}@local.outbox>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(email.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(email.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50);

/**
 * SES, locally: every email is appended as one JSON line to outbox.jsonl (oldest first) and written as a
 * .eml file that a mail client opens, both in the data folder so they survive restarts; the list is kept in
 * memory too. Sending costs the same with 10 emails in the outbox as with 10,000. Sends always succeed.
 * Unlike SES, it knows each send's identity (its send record's key): a send already in the outbox is
 * answered with the first one's message id and not written again, so a runtime killed between writing an
 * email and recording its send shows no duplicate when the message is delivered again.
 */
export const createOutboxMailer = (options: { dir: string; from: string; clock: Clock }): OutboxMailer => {
  const { dir } = options;
  const index = join(dir, 'outbox.jsonl');
  mkdirSync(dir, { recursive: true });
  const entries = readJsonLines(index).map((line) => OutboxEntry.parse(line));
  const bySendKey = new Map(entries.flatMap((e) => (e.sendKey ? [[e.sendKey, e.messageId] as const] : [])));

  return {
    dir,
    read: () => entries.map((e) => ({ ...e })),
    count: () => entries.length,
    async send({ sendKey, ...email }) {
      const earlier = sendKey === undefined ? undefined : bySendKey.get(sendKey);
      if (earlier) return { ok: true, messageId: earlier };
      const sentAt = options.clock.now();
      const sequence = String(entries.length + 1).padStart(4, '0');
      const messageId = `local-${sequence}-${Date.now().toString(36)}`;
      const file = `${sequence}-${slug(email.subject)}.eml`;
      writeFileSync(join(dir, file), emlOf(email, options.from, sentAt, messageId));
      const entry: OutboxEntry = { ...email, sentAt, messageId, file, ...(sendKey ? { sendKey } : {}) };
      appendJsonLines(index, [entry]);
      entries.push(entry);
      if (sendKey) bySendKey.set(sendKey, messageId);
      return { ok: true, messageId };
    },
  };
};
