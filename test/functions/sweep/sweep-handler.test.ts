import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, test } from 'vitest';
import { createReminderHandler } from '../../../functions/reminder/reminder-handler';
import { createSweepHandler } from '../../../functions/sweep/sweep-handler';
import { towerHamlets as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, deadlineQueueEvent, FakeMailer, settableClock } from '../../support/notify-fakes';

const events = fullEpisode('MPS-2026-0500');

let store: MemoryEpisodeStore;
let mailer: FakeMailer;
let clock: ReturnType<typeof settableClock>;
let deps: Parameters<typeof createSweepHandler>[0];

beforeEach(async () => {
  store = new MemoryEpisodeStore();
  // Returned Sat 24 Oct 08:30 UTC; the Prevention Interview done the same day, the RHI still to do.
  await commitEvents(store, council, 'ep-sweep', events.slice(0, 4), 'met-police');
  mailer = new FakeMailer();
  clock = settableClock('2026-10-24T15:10:00Z');
  deps = {
    store,
    mailer,
    clock,
    council,
    logger: new Logger({ serviceName: 'sweep-test', logLevel: 'SILENT' }),
  };
});

describe('the sweep', () => {
  test('fires a due reminder whose schedule was lost, once however often it runs', async () => {
    const sweep = createSweepHandler(deps);
    expect(await sweep()).toMatchObject({ fired: 0, due: 0 });
    clock.set('2026-10-26T08:40:00Z');
    expect(await sweep()).toMatchObject({ fired: 1, due: 1, failed: 0 });
    expect(await sweep()).toMatchObject({ fired: 0, due: 0 });
    expect(mailer.recipients()).toEqual(['exploitation.team@towerhamlets.gov.uk']);
    expect(mailer.sent[0]?.subject).toContain(
      'Reminder: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT',
    );
  });

  test('a notice its schedule already fired is not fired again by the sweep', async () => {
    clock.set('2026-10-27T08:30:00Z');
    const [escalation] = (await store.dueNotices(clock.now(), 10)).filter((n) => n.notice === 'escalation');
    if (!escalation) throw new Error('the RHI escalation is due');
    await createReminderHandler(deps)(
      deadlineQueueEvent({ episodeId: escalation.episodeId, noticeKey: escalation.noticeKey }),
    );
    const sentBySchedule = mailer.sent.length;
    clock.set('2026-10-27T08:45:00Z');
    // The two reminders left pending are past due: the escalation covers them, so they settle silently.
    expect(await createSweepHandler(deps)()).toMatchObject({ fired: 0, settled: 2, failed: 0 });
    expect(mailer.sent).toHaveLength(sentBySchedule);
  });

  test('a notice that fails transiently stays pending and the next sweep fires it', async () => {
    clock.set('2026-10-26T08:40:00Z');
    mailer.failNext({ ok: false, failure: 'transient', reason: 'ServiceUnavailable' });
    expect(await createSweepHandler(deps)()).toMatchObject({ fired: 0, failed: 1 });
    clock.set('2026-10-26T08:55:00Z');
    expect(await createSweepHandler(deps)()).toMatchObject({ fired: 1, failed: 0 });
    expect(mailer.recipients()).toEqual(['exploitation.team@towerhamlets.gov.uk']);
  });
});
