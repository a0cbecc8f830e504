import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { periodInstants, startOfLocalDate } from '../../../shared/reports/report-period';
import { type ReportEpisode, timelinessReport } from '../../../shared/reports/timeliness-report';
import { towerHamlets } from '../../support/councils';
import { reportEpisode } from './report-episodes';

const october = { from: '2026-10-01', to: '2026-11-01' };
const now = '2026-11-04T12:00:00Z';

const figures = (episodes: ReportEpisode[], period = october, asAt = now) =>
  Object.fromEntries(
    timelinessReport(episodes, towerHamlets, period, asAt).figures.map((f) => [f.id, f.value]),
  );

/**
 * October 2026 in Tower Hamlets (Europe/London): the month starts in summer time (BST, UTC+1) and the
 * clocks go back at 02:00 BST on Sunday 25 October. Both deadlines are 72 hours, escalated at once.
 */
const octoberEpisodes: ReportEpisode[] = [
  // 00:30 BST on 1 October, still 30 September in UTC: reported in October. Both interviews in time.
  reportEpisode('e1', 'child-a', {
    lastSeenAt: '2026-09-30T22:00:00Z',
    reportedAt: '2026-09-30T23:30:00Z',
    foundAt: '2026-10-02T10:00:00Z',
    preventionInterviewAt: '2026-10-02T16:00:00Z',
    rhiCompletedAt: '2026-10-04T09:00:00Z',
  }),
  // 23:30 BST on 30 September: reported in September, but found in October, so a return in October.
  reportEpisode('e2', 'child-b', {
    lastSeenAt: '2026-09-30T20:00:00Z',
    reportedAt: '2026-09-30T22:30:00Z',
    foundAt: '2026-10-01T08:00:00Z',
    preventionInterviewAt: '2026-10-01T20:00:00Z',
    rhiDeclinedAt: '2026-10-02T12:00:00Z',
  }),
  // Found 09:30 BST on 24 October: due 72 elapsed hours later, 08:30 GMT on the 27th (the clocks went
  // back in between). Completed at 09:00 GMT: late by 30 minutes, though by the wall clock it looks in time.
  reportEpisode('e3', 'child-c', {
    lastSeenAt: '2026-10-23T20:00:00Z',
    foundAt: '2026-10-24T08:30:00Z',
    preventionInterviewAt: '2026-10-26T08:30:00Z',
    rhiCompletedAt: '2026-10-27T09:00:00Z',
  }),
  // 23:30 GMT on 31 October: in October. Found 23:50: a return in October whose deadlines fall in November.
  reportEpisode('e4', 'child-d', {
    lastSeenAt: '2026-10-31T22:00:00Z',
    reportedAt: '2026-10-31T23:30:00Z',
    foundAt: '2026-10-31T23:50:00Z',
  }),
  // 00:10 GMT on 1 November: not October, nor is its return.
  reportEpisode('e5', 'child-e', {
    lastSeenAt: '2026-10-31T23:00:00Z',
    reportedAt: '2026-11-01T00:10:00Z',
    foundAt: '2026-11-01T05:00:00Z',
  }),
  // child-a again: found, and neither interview done; both overdue since 14 October.
  reportEpisode('e6', 'child-a', { lastSeenAt: '2026-10-10T10:00:00Z', foundAt: '2026-10-11T10:00:00Z' }),
  reportEpisode('e7', 'child-f', { kind: 'absence', lastSeenAt: '2026-10-05T08:00:00Z' }),
  reportEpisode('e8', 'child-g', {
    lastSeenAt: '2026-10-06T08:00:00Z',
    foundAt: '2026-10-06T12:00:00Z',
    withdrawnAt: '2026-10-06T13:00:00Z',
  }),
  // Three earlier episodes within 90 days: repeat-missing under the council's threshold. Still missing.
  reportEpisode('e9', 'child-h', {
    lastSeenAt: '2026-10-15T11:00:00Z',
    earlierReports: ['2026-08-01T10:00:00Z', '2026-09-01T10:00:00Z', '2026-09-20T10:00:00Z'],
  }),
  // Offered only: both deadlines overdue since 23 October.
  reportEpisode('e10', 'child-i', {
    lastSeenAt: '2026-10-19T19:00:00Z',
    foundAt: '2026-10-20T12:00:00Z',
    rhiOfferedAt: '2026-10-21T10:00:00Z',
  }),
  // Found at 23:59:59 BST on 30 September: a September return, whose deadlines fall due in October
  // (the RHI met in time, the Prevention Interview never done).
  reportEpisode('e11', 'child-j', {
    lastSeenAt: '2026-09-29T12:00:00Z',
    foundAt: '2026-09-30T22:59:59Z',
    rhiCompletedAt: '2026-10-02T10:00:00Z',
  }),
];

describe('the timeliness report', () => {
  it('computes every figure for a month from a known set of episodes', () => {
    expect(figures(octoberEpisodes)).toEqual({
      'episodes.missing': 6, // e1 e3 e4 e6 e9 e10
      'episodes.absence': 1, // e7
      'episodes.withdrawn': 1, // e8
      children: 6, // a c d f h i
      returns: 6, // e1 e2 e3 e4 e6 e10
      'rhi.offered': 4, // e1 e2 e3 e10
      'rhi.completed': 2, // e1 e3
      'rhi.declined': 1, // e2
      'rhi.completed_in_time': 1, // e1
      'rhi.completed_in_time_percent': 16.7, // 1 of 6
      'pi.completed': 3, // e1 (6 h) e2 (12 h) e3 (48 h)
      'pi.completed_in_time': 3,
      'pi.median_hours_from_return': 12,
      'sd.due': 1, // e9, still missing 72 hours after last seen
      'sd.held_in_time': 0,
      'sd.held_in_time_percent': 0,
      'referrals.made': 0,
      'referrals.acknowledged_in_time': 0,
      'referrals.median_hours_to_acknowledge': null,
      // e6 both, e10 both, e11's Prevention Interview; e7's safety check (away 48 hours, nobody said safe);
      // e9's manager's review, head of service review and strategy discussion (still missing).
      'deadlines.overdue': 9,
      // The 9 overdue, e3's RHI met late, and e1's manager's review (found 36 hours after last seen).
      'deadlines.escalated': 11,
      'children.more_than_one_episode': 1, // child-a
      'children.repeat_missing': 1, // child-h
    });
  });

  it('counts a deadline overdue only once the clock has passed it', () => {
    const beforeE10Due = figures(octoberEpisodes, october, '2026-10-20T00:00:00Z');
    // e6's and e11's interviews, e7's safety check and e9's three while-missing deadlines.
    expect(beforeE10Due['deadlines.overdue']).toBe(7);
  });

  it('counts a deadline escalated only once the council’s escalation delay has also passed', () => {
    const policy = towerHamlets.deadlines;
    const patient = {
      ...towerHamlets,
      deadlines: {
        ...policy,
        prevention_interview: { ...policy.prevention_interview, escalateAfterHours: 24 },
        return_home_interview: { ...policy.return_home_interview, escalateAfterHours: 24 },
      },
    };
    const episodes = [
      // Due 10:00 on 6 October; the RHI met 10 hours late, inside the delay; the Prevention Interview never.
      reportEpisode('d1', 'c1', {
        lastSeenAt: '2026-10-02T10:00:00Z',
        foundAt: '2026-10-03T10:00:00Z',
        rhiCompletedAt: '2026-10-06T20:00:00Z',
      }),
    ];
    const at = (now: string) => {
      const report = timelinessReport(episodes, patient, october, now);
      const value = (id: string) => report.figures.find((f) => f.id === id)?.value;
      return [value('deadlines.overdue'), value('deadlines.escalated')];
    };
    expect(at('2026-10-07T09:59:00Z')).toEqual([1, 0]);
    expect(at('2026-10-07T10:00:00Z')).toEqual([1, 1]);
  });

  it('counts strategy discussions held in time among those that fell due while the child was missing', () => {
    const episodes = [
      // Graded high 2 hours after last seen: due 24 hours later, held after 20.
      reportEpisode('s1', 'c1', {
        lastSeenAt: '2026-10-05T10:00:00Z',
        gradedHighAt: '2026-10-05T12:00:00Z',
        strategyDiscussionAt: '2026-10-06T08:00:00Z',
      }),
      // Graded high; held 2 hours late.
      reportEpisode('s2', 'c2', {
        lastSeenAt: '2026-10-05T10:00:00Z',
        gradedHighAt: '2026-10-05T12:00:00Z',
        strategyDiscussionAt: '2026-10-06T14:00:00Z',
      }),
      // Found before the discussion fell due: none was owed.
      reportEpisode('s3', 'c3', {
        lastSeenAt: '2026-10-05T10:00:00Z',
        gradedHighAt: '2026-10-05T12:00:00Z',
        foundAt: '2026-10-06T09:00:00Z',
      }),
      // Found 4 hours after it fell due, never held: owed and missed.
      reportEpisode('s4', 'c4', {
        lastSeenAt: '2026-10-05T10:00:00Z',
        gradedHighAt: '2026-10-05T12:00:00Z',
        foundAt: '2026-10-06T16:00:00Z',
      }),
    ];
    const values = figures(episodes);
    expect([values['sd.due'], values['sd.held_in_time'], values['sd.held_in_time_percent']]).toEqual([
      3, 1, 33.3,
    ]);
  });

  it('counts immediate-harm referrals, how many were acknowledged in time and how long acknowledgements took', () => {
    const referral = (id: string, harmAt: string, acknowledgedAt?: string) =>
      reportEpisode(id, `child-${id}`, {
        lastSeenAt: '2026-10-09T10:00:00Z',
        foundAt: '2026-10-10T10:00:00Z',
        immediateHarmAt: harmAt,
        ...(acknowledgedAt ? { acknowledgedAt } : {}),
      });
    const episodes = [
      referral('r1', '2026-10-10T12:00:00Z', '2026-10-10T13:00:00Z'), // 1 hour
      referral('r2', '2026-10-10T12:00:00Z', '2026-10-10T15:30:00Z'), // 3.5 hours
      referral('r3', '2026-10-10T12:00:00Z', '2026-10-10T18:00:00Z'), // 6 hours: late
      referral('r4', '2026-10-10T12:00:00Z'), // never
      referral('r5', '2026-11-02T12:00:00Z'), // November
    ];
    const values = figures(episodes);
    expect([
      values['referrals.made'],
      values['referrals.acknowledged_in_time'],
      values['referrals.median_hours_to_acknowledge'],
    ]).toEqual([4, 2, 3.5]);
  });

  it('gives no percentage and no median for a period with no returns', () => {
    const quiet = figures(octoberEpisodes, { from: '2026-12-01', to: '2027-01-01' });
    expect(quiet.returns).toBe(0);
    expect(quiet['rhi.completed_in_time_percent']).toBeNull();
    expect(quiet['pi.median_hours_from_return']).toBeNull();
  });

  it('splits days at local midnight on the day the clocks go forward', () => {
    const day = (from: string, to: string) =>
      figures(
        [
          reportEpisode('m1', 'c1', {
            lastSeenAt: '2026-03-28T23:00:00Z',
            reportedAt: '2026-03-29T00:30:00Z',
          }),
          reportEpisode('m2', 'c2', {
            lastSeenAt: '2026-03-29T20:00:00Z',
            reportedAt: '2026-03-29T22:59:00Z',
          }),
          reportEpisode('m3', 'c3', {
            lastSeenAt: '2026-03-29T20:00:00Z',
            reportedAt: '2026-03-29T23:00:00Z',
          }),
        ],
        { from, to },
      )['episodes.missing'];
    expect(day('2026-03-29', '2026-03-30')).toBe(2); // 00:30 GMT and 23:59 BST
    expect(day('2026-03-30', '2026-03-31')).toBe(1); // 00:00 BST
  });

  it('holds 23 hours on the day the clocks go forward and 25 on the day they go back', () => {
    const hours = (from: string, to: string) => {
      const { start, end } = periodInstants({ from, to }, 'Europe/London');
      return (Date.parse(end) - Date.parse(start)) / 3_600_000;
    };
    expect(hours('2026-03-29', '2026-03-30')).toBe(23);
    expect(hours('2026-10-25', '2026-10-26')).toBe(25);
    expect(startOfLocalDate('2026-10-25', 'Europe/London')).toBe('2026-10-24T23:00:00.000Z');
    expect(startOfLocalDate('2026-10-26', 'Europe/London')).toBe('2026-10-26T00:00:00.000Z');
  });

  it('carries, for every figure, a sentence saying how it is counted', () => {
    const report = timelinessReport(octoberEpisodes, towerHamlets, october, now);
    expect(report.period).toEqual({
      from: '2026-10-01',
      to: '2026-11-01',
      start: '2026-09-30T23:00:00.000Z',
      end: '2026-11-01T00:00:00.000Z',
    });
    for (const figure of report.figures) expect(figure.counted).toMatch(/^[A-Z].{20,}\.$/);
  });

  it('is written down in the README exactly as the report counts it', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('<!-- section: reports -->'),
      readme.indexOf('<!-- /section: reports -->'),
    );
    // The table's rows as trimmed cells, whatever padding the formatter gives them.
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    for (const figure of timelinessReport([], towerHamlets, october, now).figures) {
      expect(rows).toContainEqual([figure.label, `\`${figure.id}\``, figure.counted]);
    }
  });
});
