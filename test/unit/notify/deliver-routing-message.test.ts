import { beforeEach, describe, expect, test } from 'vitest';
import { deliverRoutingMessage } from '../../../shared/notify/deliver-routing-message';
import { type MailDeps, TransientSendError } from '../../../shared/notify/send-once';
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
    expect(tally).toEqual({ sent: 4, alreadySent: 0, rejected: 0, failed: 0 });
    expect(deps.mailer.sent.every((email) => email.to.length === 1 && email.cc.length === 0)).toBe(true);
  });

  test('a redelivered message sends nothing twice', async () => {
    await deliverRoutingMessage(deps, message);
    const again = await deliverRoutingMessage(deps, message);
    expect(deps.mailer.sent).toHaveLength(4);
    expect(again).toEqual({ sent: 0, alreadySent: 4, rejected: 0, failed: 0 });
  });

  test('a transient failure fails the message after trying the others, and the retry sends only what is missing', async () => {
    deps.mailer.failNext({ ok: false, permanent: false, reason: 'Throttling' });
    await expect(deliverRoutingMessage(deps, message)).rejects.toBeInstanceOf(TransientSendError);
    expect(deps.mailer.recipients()).toEqual(returnRecipients.slice(1));
    await deliverRoutingMessage(deps, message);
    expect(deps.mailer.recipients()).toEqual([...returnRecipients.slice(1), returnRecipients[0]]);
  });

  test('a rejected address is recorded and surfaced to operators, and not retried', async () => {
    deps.mailer.failNext({ ok: false, permanent: true, reason: 'MessageRejected' });
    const tally = await deliverRoutingMessage(deps, message);
    expect(tally).toEqual({ sent: 3, alreadySent: 0, rejected: 1, failed: 0 });
    expect(await deps.store.hasSent(`${found.id}:${returnRecipients[0]}`)).toBe(true);
    const alarm = deps.log.entries.filter((e) => e.level === 'error');
    expect(alarm).toEqual([
      {
        level: 'error',
        message: 'email rejected',
        attributes: {
          emailRejected: true,
          episodeId,
          councilId: 'tower-hamlets',
          recipientRef: 'exploitation-service',
          reason: 'MessageRejected',
        },
      },
    ]);
    await deliverRoutingMessage(deps, message);
    expect(deps.mailer.sent).toHaveLength(3);
  });

  test('logs name ids and agencies, never the child', async () => {
    deps.mailer.failNext(
      { ok: false, permanent: true, reason: 'MessageRejected' },
      { ok: false, permanent: false, reason: 'Throttling' },
    );
    await expect(deliverRoutingMessage(deps, message)).rejects.toThrow();
    const logged = JSON.stringify(deps.log.entries);
    expect(deps.log.entries.length).toBeGreaterThan(1);
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

  test('a message for an event the store does not hold yet is retried, not dropped', async () => {
    await expect(deliverRoutingMessage(deps, { ...message, eventId: 'not-yet-stored' })).rejects.toThrow(
      /has no event/,
    );
    expect(deps.mailer.sent).toHaveLength(0);
  });
});
