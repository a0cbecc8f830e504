import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOutboxMailer } from '../../../infra/local/outbox-mailer';

const clock = { now: () => '2026-10-24T08:30:00.000Z' };
const email = {
  to: ['exploitation.team@towerhamlets.gov.uk'],
  cc: ['missing-managers@tower-hamlets.invalid'],
  subject: 'Return Home Interview due by Tue 27 Oct – LBTH-2026-0042',
  text: 'Hold the Return Home Interview.',
  html: '<p>Hold the Return Home Interview.</p>',
};

describe('the outbox mailer', () => {
  it('keeps every email, oldest first, with when it was sent on the local clock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const mailer = createOutboxMailer({ dir, from: 'missing-episodes@tower-hamlets.invalid', clock });
    const first = await mailer.send(email);
    await mailer.send({ ...email, subject: 'second' });
    expect(first.ok).toBe(true);
    expect(mailer.read().map((e) => e.subject)).toEqual([email.subject, 'second']);
    expect(mailer.read()[0]).toMatchObject({ ...email, sentAt: clock.now() });
    expect(mailer.count()).toBe(2);
  });

  it('appends one JSON line per email to outbox.jsonl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const mailer = createOutboxMailer({ dir, from: 'a@b.invalid', clock });
    await mailer.send(email);
    await mailer.send({ ...email, subject: 'second' });
    const lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(mailer.read());
  });

  it('writes each email as a .eml file a mail client can open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const mailer = createOutboxMailer({ dir, from: 'missing-episodes@tower-hamlets.invalid', clock });
    await mailer.send(email);
    const [entry] = mailer.read();
    const eml = readFileSync(join(dir, entry?.file ?? ''), 'utf8');
    expect(eml).toContain('To: exploitation.team@towerhamlets.gov.uk\r\n');
    expect(eml).toContain('Cc: missing-managers@tower-hamlets.invalid\r\n');
    expect(eml).toContain(`Subject: =?UTF-8?B?${Buffer.from(email.subject).toString('base64')}?=`);
    expect(eml).toContain(Buffer.from(email.html).toString('base64'));
    expect(eml).toContain('Content-Type: multipart/alternative');
  });

  it('finds the emails of an earlier run in the same folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    await createOutboxMailer({ dir, from: 'a@b.invalid', clock }).send(email);
    const again = createOutboxMailer({ dir, from: 'a@b.invalid', clock });
    await again.send({ ...email, subject: 'later' });
    expect(again.read().map((e) => e.subject)).toEqual([email.subject, 'later']);
  });

  it('drops a line a crash cut short, and the next email starts on a line of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    await createOutboxMailer({ dir, from: 'a@b.invalid', clock }).send(email);
    appendFileSync(join(dir, 'outbox.jsonl'), '{"to":["half');
    const again = createOutboxMailer({ dir, from: 'a@b.invalid', clock });
    await again.send({ ...email, subject: 'after the crash' });
    const reopened = createOutboxMailer({ dir, from: 'a@b.invalid', clock });
    expect(reopened.read().map((e) => e.subject)).toEqual([email.subject, 'after the crash']);
  });

  it('does not write a send it already holds again, even after a restart: a crash cannot show a duplicate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const sendKey = 'met-police:evt-1:exploitation.team@towerhamlets.gov.uk';
    const first = await createOutboxMailer({ dir, from: 'a@b.invalid', clock }).send({ ...email, sendKey });
    const again = createOutboxMailer({ dir, from: 'a@b.invalid', clock });
    expect(await again.send({ ...email, sendKey })).toEqual(first);
    await again.send({ ...email, sendKey: 'schools:evt-1:exploitation.team@towerhamlets.gov.uk' });
    await again.send(email);
    expect(again.read().map((e) => e.sendKey)).toEqual([
      sendKey,
      'schools:evt-1:exploitation.team@towerhamlets.gov.uk',
      undefined,
    ]);
  });
});
