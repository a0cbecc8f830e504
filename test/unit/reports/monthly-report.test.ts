import { describe, expect, it } from 'vitest';
import type { NotifyLog } from '../../../shared/notify/send-once';
import { previousMonth, sendMonthlyReport } from '../../../shared/reports/monthly-report';
import { towerHamlets } from '../../support/councils';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { FakeMailer, settableClock } from '../../support/notify-fakes';
import { reportEpisode } from './report-episodes';

const episodes = [
  reportEpisode('m1', 'child-a', {
    lastSeenAt: '2026-10-02T10:00:00Z',
    foundAt: '2026-10-03T10:00:00Z',
    rhiCompletedAt: '2026-10-05T10:00:00Z',
  }),
  reportEpisode('m2', 'child-b', { lastSeenAt: '2026-10-20T10:00:00Z', foundAt: '2026-10-21T10:00:00Z' }),
];

const silent: NotifyLog = { info: () => {}, warn: () => {}, error: () => {} };

const setUp = (now = '2026-11-01T07:00:00Z') => {
  const mailer = new FakeMailer();
  let scans = 0;
  const deps = {
    store: new MemoryEpisodeStore(),
    mailer,
    clock: settableClock(now),
    council: towerHamlets,
    log: silent,
    episodes: async () => {
      scans += 1;
      return episodes;
    },
  };
  return { deps, mailer, scans: () => scans };
};

describe('the monthly report', () => {
  it('covers the calendar month before the local date, across the clock changes', () => {
    expect(previousMonth('2026-11-01T00:30:00Z', 'Europe/London')).toEqual({
      from: '2026-10-01',
      to: '2026-11-01',
    });
    // 23:30 GMT on 31 October is still October.
    expect(previousMonth('2026-10-31T23:30:00Z', 'Europe/London')).toEqual({
      from: '2026-09-01',
      to: '2026-10-01',
    });
    // 23:30 UTC on 30 April is 00:30 BST on 1 May.
    expect(previousMonth('2026-04-30T23:30:00Z', 'Europe/London')).toEqual({
      from: '2026-04-01',
      to: '2026-05-01',
    });
    expect(previousMonth('2027-01-01T09:00:00Z', 'Europe/London')).toEqual({
      from: '2026-12-01',
      to: '2027-01-01',
    });
  });

  it('emails last month’s figures and how they are counted to the council’s managers, naming no child', async () => {
    const { deps, mailer } = setUp();
    expect(await sendMonthlyReport(deps)).toEqual({
      period: { from: '2026-10-01', to: '2026-11-01' },
      outcome: 'sent',
    });
    expect(mailer.sent).toHaveLength(1);
    const [email] = mailer.sent;
    expect(email?.to).toEqual(['missing-managers@tower-hamlets.invalid']);
    expect(email?.subject).toBe('LBTH: missing children timeliness report, October 2026');
    expect(email?.text).toContain('Returns: 2\n');
    expect(email?.text).toContain('RHIs completed within 72 hours, % of returns: 50%\n');
    expect(email?.text).toContain(
      '- Returns: Missing episodes whose child was found in the period: each return is owed both interviews.',
    );
    expect(email?.html).toContain(
      '<li style="margin:0 0 6px">Returns: Missing episodes whose child was found in the period',
    );
    for (const personal of ['Sam', 'Example', '2011']) {
      expect(email?.text).not.toContain(personal);
      expect(email?.html).not.toContain(personal);
    }
  });

  it('sends a month’s report once, however often it is invoked', async () => {
    const { deps, mailer, scans } = setUp();
    await sendMonthlyReport(deps);
    deps.clock.set('2026-11-01T07:05:00Z');
    expect((await sendMonthlyReport(deps)).outcome).toBe('already_sent');
    expect(mailer.sent).toHaveLength(1);
    expect(scans()).toBe(1);
  });

  it('sends nothing and records nothing when the send fails for now, so a retry sends it', async () => {
    const { deps, mailer } = setUp();
    mailer.failNext({ ok: false, failure: 'transient', reason: 'ServiceUnavailable' });
    expect((await sendMonthlyReport(deps)).outcome).toBe('failed');
    expect((await sendMonthlyReport(deps)).outcome).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });
});
