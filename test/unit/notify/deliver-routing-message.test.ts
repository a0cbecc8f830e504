import { beforeEach, describe, expect, test } from 'vitest';
import { deliverRoutingMessage } from '../../../shared/notify/deliver-routing-message';
import { type MailDeps, ThrottledSendError, TransientSendError } from '../../../shared/notify/send-once';
import { towerHamlets as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, FakeMailer, recordingLog, settableClock } from '../../support/notify-fakes';

const episodeId = 'ep-1';
const events = fullEpisode('MPS-2026-0100');
const found = events[2];
if (!found) throw new Error('the full episode has a return');
const message = { episodeId, eventId: found.id, sourceId: 'met-police' };

// The return: Exploitation service (RHI), police (Prevention Interview), social care, schools.
const returnRecipients = [
  'exploitation.team@towerhamlets.gov.uk',
  'missing-persons@met-police.invalid',
  'childrens-social-care@tower-hamlets.invalid',
  'education-safeguarding@tower-hamlets.invalid',
];

const fallbackInbox = 'duty-and-assessment@tower-hamlets.invalid';

let deps: MailDeps & { mailer: FakeMailer; log: ReturnType<typeof recordingLog> };

beforeEach(async () => {
  const store = new MemoryEpisodeStore();
  await commitEvents(store, council, episodeId, events.slice(0, 3), 'met-police');
  deps = {
    store,
    mailer: new FakeMailer(),
    clock: settableClock('2026-10-24T09:00:00Z'),
    council,
    log: recordingLog(),
  };
});

describe('delivering a routing message', () => {
  test('emails each agency the routing rules name, one email each', async () => {
    const tally = await deliverRoutingMessage(deps, message);
    expect(deps.mailer.recipients()).toEqual(returnRecipients);
    expect(tally).toEqual({ sent: 4, alreadySent: 0, rejected: 0, failed: 0, throttled: 0 });
    expect(deps.mailer.sent.every((email) => email.to.length === 1 && email.cc.length === 0)).toBe(true);
  });

  test('a redelivered message sends nothing twice', async () => {
    await deliverRoutingMessage(deps, message);
    const again = await deliverRoutingMessage(deps, message);
    expect(deps.mailer.sent).toHaveLength(4);
    expect(again).toEqual({ sent: 0, alreadySent: 4, rejected: 0, failed: 0, throttled: 0 });
  });

  test('a throttled send fails the message as throttled after trying the others, and the retry sends only what is missing', async () => {
    deps.mailer.failNext({ ok: false, failure: 'throttled', reason: 'Throttling' });
    await expect(deliverRoutingMessage(deps, message)).rejects.toBeInstanceOf(ThrottledSendError);
    expect(deps.mailer.recipients()).toEqual(returnRecipients.slice(1));
    await deliverRoutingMessage(deps, message);
    expect(deps.mailer.recipients()).toEqual([...returnRecipients.slice(1), returnRecipients[0]]);
  });

  test('blocked sending fails the message as retryable, not throttled, and raises the operators alarm field', async () => {
    deps.mailer.failNext(
      { ok: false, failure: 'throttled', reason: 'Throttling' },
      { ok: false, failure: 'sending-blocked', reason: 'MessageRejected' },
    );
    const failure = await deliverRoutingMessage(deps, message).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientSendError);
    expect(failure).not.toBeInstanceOf(ThrottledSendError);
    expect(
      (await deps.store.alreadySent([`met-police:${found.id}:${returnRecipients[1]}`])).has(
        `met-police:${found.id}:${returnRecipients[1]}`,
      ),
    ).toBe(false);
    expect(deps.log.entries.filter((e) => e.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'email sending blocked, will retry',
        attributes: {
          emailSendingBlocked: true,
          episodeId,
          councilId: 'tower-hamlets',
          recipientRef: 'met-police',
          reason: 'MessageRejected',
        },
      },
    ]);
    // Fixed and redriven: what was not sent is sent.
    await deliverRoutingMessage(deps, message);
    expect(deps.mailer.recipients().sort()).toEqual([...returnRecipients].sort());
  });

  test("a refused address is recorded, its email goes to the council's fallback inbox naming it, and the operators are alerted", async () => {
    deps.mailer.failNext({ ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' });
    const tally = await deliverRoutingMessage(deps, message);
    expect(tally).toEqual({ sent: 3, alreadySent: 0, rejected: 1, failed: 0, throttled: 0 });
    expect(deps.mailer.recipients()).toEqual([fallbackInbox, ...returnRecipients.slice(1)]);
    const forwarded = deps.mailer.sent[0];
    expect(forwarded?.subject).toMatch(/^\[Undeliverable to Tower Hamlets Exploitation service\] /);
    expect(forwarded?.text).toContain(
      `meant for Tower Hamlets Exploitation service (${returnRecipients[0]})`,
    );
    expect(forwarded?.html).toContain('the email service refused that address');
    expect(
      (await deps.store.alreadySent([`met-police:${found.id}:${returnRecipients[0]}`])).has(
        `met-police:${found.id}:${returnRecipients[0]}`,
      ),
    ).toBe(true);
    expect(
      (await deps.store.alreadySent([`met-police:${found.id}:${returnRecipients[0]}#fallback`])).has(
        `met-police:${found.id}:${returnRecipients[0]}#fallback`,
      ),
    ).toBe(true);
    expect(deps.log.entries.filter((e) => e.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'email rejected',
        attributes: {
          emailRejected: true,
          episodeId,
          councilId: 'tower-hamlets',
          recipientRef: 'exploitation-service',
          reason: 'MessageRejected',
          fallback: 'sent',
        },
      },
    ]);
    await deliverRoutingMessage(deps, message);
    expect(deps.mailer.sent).toHaveLength(4);
  });

  test('a refusal is not recorded until the fallback inbox has the email: a failed fallback retries both', async () => {
    deps.mailer.failNext(
      { ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' },
      { ok: false, failure: 'transient', reason: 'ServiceUnavailable' },
    );
    await expect(deliverRoutingMessage(deps, message)).rejects.toBeInstanceOf(TransientSendError);
    expect(
      (await deps.store.alreadySent([`met-police:${found.id}:${returnRecipients[0]}`])).has(
        `met-police:${found.id}:${returnRecipients[0]}`,
      ),
    ).toBe(false);
    deps.mailer.failNext({ ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' });
    const retry = await deliverRoutingMessage(deps, message);
    expect(retry).toMatchObject({ rejected: 1, alreadySent: 3 });
    expect(deps.mailer.recipients()).toEqual([...returnRecipients.slice(1), fallbackInbox]);
  });

  test('a refused fallback inbox is recorded and alarmed, with nowhere further to go', async () => {
    const toFallback = { ...message, eventId: found.id };
    deps.council = { ...council, roles: { ...council.roles, fallback: 'exploitation-service' } };
    deps.mailer.failNext({ ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' });
    expect(await deliverRoutingMessage(deps, toFallback)).toMatchObject({ sent: 3, rejected: 1 });
    expect(deps.log.entries.find((e) => e.message === 'email rejected')?.attributes).toMatchObject({
      fallback: 'none: the fallback inbox itself was refused',
    });
  });

  test('logs name ids and agencies, never the child', async () => {
    deps.mailer.failNext(
      { ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' },
      { ok: false, failure: 'sending-blocked', reason: 'MessageRejected' },
      { ok: false, failure: 'throttled', reason: 'Throttling' },
    );
    await expect(deliverRoutingMessage(deps, message)).rejects.toThrow();
    deps.mailer.failNext({ ok: false, failure: 'recipient-rejected', reason: 'MessageRejected' });
    await deliverRoutingMessage(deps, message);
    const logged = JSON.stringify(deps.log.entries);
    expect(deps.log.entries.map((e) => e.message)).toEqual([
      'email sending blocked, will retry',
      'email send throttled, will retry later',
      'email rejected',
    ]);
    for (const detail of ['Alex', 'Example', '2011-05-14', '@']) expect(logged).not.toContain(detail);
  });

  test('who hears of a report does not depend on how late its message is read', async () => {
    const report = events[0];
    if (!report) throw new Error('the full episode has a report');
    // Read after the high-risk assessment and the return: still only the report's own recipients.
    await deliverRoutingMessage(deps, { episodeId, eventId: report.id, sourceId: 'met-police' });
    expect(deps.mailer.recipients()).toEqual([
      'missing-persons@met-police.invalid',
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    expect(deps.mailer.sent[0]?.text).toContain('Police risk grade: high');
  });

  test('keys each send by the delivery, source included: another source may reuse the event id', async () => {
    await deliverRoutingMessage(deps, message);
    expect(
      (await deps.store.alreadySent([`met-police:${found.id}:${returnRecipients[1]}`])).has(
        `met-police:${found.id}:${returnRecipients[1]}`,
      ),
    ).toBe(true);
    expect(
      (await deps.store.alreadySent([`schools:${found.id}:${returnRecipients[1]}`])).has(
        `schools:${found.id}:${returnRecipients[1]}`,
      ),
    ).toBe(false);
    expect(deps.mailer.sent.map((email) => email.sendKey)).toEqual(
      returnRecipients.map((address) => `met-police:${found.id}:${address}`),
    );
  });

  test('a message for an event the store does not hold yet is retried, not dropped', async () => {
    await expect(deliverRoutingMessage(deps, { ...message, eventId: 'not-yet-stored' })).rejects.toThrow(
      /has no event/,
    );
    expect(deps.mailer.sent).toHaveLength(0);
  });
});
