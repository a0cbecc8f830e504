import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ssda903Csv } from '../../../shared/reports/report-output';
import { reportingYear } from '../../../shared/reports/report-period';
import { ssda903Missing } from '../../../shared/reports/ssda903-missing';
import { reportEpisode } from './report-episodes';

const year2026 = reportingYear(2026);
const x = { lookedAfter: true, localId: 'LAC-7', dateOfBirth: '2010-02-03' };
const y = { lookedAfter: true, dateOfBirth: '2012-11-30' };

const episodes = [
  reportEpisode('x0', 'child-x', {
    ...x,
    lastSeenAt: '2026-01-10T10:00:00Z',
    foundAt: '2026-01-11T10:00:00Z',
  }),
  // Straddles 1 April: included with both dates.
  reportEpisode('x1', 'child-x', {
    ...x,
    lastSeenAt: '2026-03-20T10:00:00Z',
    foundAt: '2026-04-02T10:00:00Z',
  }),
  // An absence never closed, then a missing episode: the absence ends the day the next began.
  reportEpisode('x2', 'child-x', { ...x, kind: 'absence', lastSeenAt: '2026-06-01T10:00:00Z' }),
  reportEpisode('x3', 'child-x', {
    ...x,
    lastSeenAt: '2026-06-05T10:00:00Z',
    foundAt: '2026-06-06T10:00:00Z',
  }),
  // The next began before this one ended: cut at the day it began.
  reportEpisode('x4', 'child-x', {
    ...x,
    lastSeenAt: '2026-07-01T10:00:00Z',
    foundAt: '2026-07-10T10:00:00Z',
  }),
  reportEpisode('x5', 'child-x', {
    ...x,
    lastSeenAt: '2026-07-04T10:00:00Z',
    foundAt: '2026-07-05T10:00:00Z',
  }),
  // Found after 31 March 2027: still missing at the year's end, so no end date.
  reportEpisode('x6', 'child-x', {
    ...x,
    lastSeenAt: '2027-03-30T10:00:00Z',
    foundAt: '2027-04-02T10:00:00Z',
  }),
  // Found at 23:30 BST on 31 March: ended before the year.
  reportEpisode('y1', '5f0c9a1e', {
    ...y,
    lastSeenAt: '2026-03-30T10:00:00Z',
    foundAt: '2026-03-31T22:30:00Z',
  }),
  // Last seen at 00:30 BST on 1 April (still 31 March in UTC): in the year.
  reportEpisode('y2', '5f0c9a1e', {
    ...y,
    lastSeenAt: '2026-03-31T23:30:00Z',
    foundAt: '2026-04-01T05:00:00Z',
  }),
  reportEpisode('z1', 'child-z', { lastSeenAt: '2026-05-01T10:00:00Z', foundAt: '2026-05-02T10:00:00Z' }),
  reportEpisode('w1', 'child-w', {
    lookedAfter: true,
    lastSeenAt: '2026-05-01T10:00:00Z',
    withdrawnAt: '2026-05-01T12:00:00Z',
  }),
];

describe('the SSDA903 Missing extract', () => {
  it('lists each looked-after child’s episodes in the reporting year, none overlapping', () => {
    expect(ssda903Missing(episodes, 'Europe/London', year2026)).toEqual([
      { CHILD: '5f0c9a1e', DOB: '30/11/2012', MISSING: 'M', MIS_START: '01/04/2026', MIS_END: '01/04/2026' },
      { CHILD: 'LAC-7', DOB: '03/02/2010', MISSING: 'M', MIS_START: '20/03/2026', MIS_END: '02/04/2026' },
      { CHILD: 'LAC-7', DOB: '03/02/2010', MISSING: 'A', MIS_START: '01/06/2026', MIS_END: '05/06/2026' },
      { CHILD: 'LAC-7', DOB: '03/02/2010', MISSING: 'M', MIS_START: '05/06/2026', MIS_END: '06/06/2026' },
      { CHILD: 'LAC-7', DOB: '03/02/2010', MISSING: 'M', MIS_START: '01/07/2026', MIS_END: '04/07/2026' },
      { CHILD: 'LAC-7', DOB: '03/02/2010', MISSING: 'M', MIS_START: '04/07/2026', MIS_END: '05/07/2026' },
      { CHILD: 'LAC-7', DOB: '03/02/2010', MISSING: 'M', MIS_START: '30/03/2027', MIS_END: '' },
    ]);
  });

  it('writes the return’s columns as CSV', () => {
    const rows = ssda903Missing(episodes, 'Europe/London', year2026).slice(0, 2);
    expect(ssda903Csv(rows)).toBe(
      'CHILD,DOB,MISSING,MIS_START,MIS_END\r\n' +
        '5f0c9a1e,30/11/2012,M,01/04/2026,01/04/2026\r\n' +
        'LAC-7,03/02/2010,M,20/03/2026,02/04/2026\r\n',
    );
  });

  it('never gives a child a period that starts before the previous one ended or while it is open', () => {
    const instant = fc
      .integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2027-04-30T00:00:00Z') })
      .map((ms) => new Date(ms - (ms % 60_000)).toISOString());
    const story = fc.record({
      lastSeenAt: instant,
      returnAfterHours: fc.option(fc.integer({ min: 1, max: 24 * 40 }), { nil: undefined }),
      absence: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(story, { maxLength: 8 }), (stories) => {
        const childEpisodes = stories.map((s, i) =>
          reportEpisode(`p${i}`, 'child-p', {
            lookedAfter: true,
            kind: s.absence ? 'absence' : 'missing',
            lastSeenAt: s.lastSeenAt,
            ...(s.returnAfterHours
              ? { foundAt: new Date(Date.parse(s.lastSeenAt) + s.returnAfterHours * 3_600_000).toISOString() }
              : {}),
          }),
        );
        const iso = (ddmmyyyy: string) => ddmmyyyy.split('/').reverse().join('-');
        const rows = ssda903Missing(childEpisodes, 'Europe/London', year2026);
        rows.forEach((row, i) => {
          if (row.MIS_END) expect(iso(row.MIS_END) >= iso(row.MIS_START)).toBe(true);
          const previous = rows[i - 1];
          if (previous) {
            expect(previous.MIS_END).not.toBe('');
            expect(iso(row.MIS_START) >= iso(previous.MIS_END)).toBe(true);
          }
        });
      }),
      { numRuns: 200 },
    );
  });
});
