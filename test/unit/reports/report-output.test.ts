import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../shared/reports/report-output';
import { timelinessReport } from '../../../shared/reports/timeliness-report';
import { towerHamlets } from '../../support/councils';
import { reportEpisode } from './report-episodes';

const report = timelinessReport(
  [
    reportEpisode('o1', 'child-a', {
      lastSeenAt: '2026-10-02T10:00:00Z',
      foundAt: '2026-10-03T10:00:00Z',
      preventionInterviewAt: '2026-10-03T15:30:00Z',
      rhiCompletedAt: '2026-10-05T10:00:00Z',
    }),
    reportEpisode('o2', 'child-b', { lastSeenAt: '2026-10-02T10:00:00Z', foundAt: '2026-10-03T10:00:00Z' }),
  ],
  towerHamlets,
  { from: '2026-10-01', to: '2026-11-01' },
  '2026-11-02T09:00:00Z',
);

describe('the timeliness report as output', () => {
  it('as a table, names the council and the period’s first and last day, and shows units', () => {
    const table = renderReport(report, 'table');
    expect(table).toContain('Timeliness report: London Borough of Tower Hamlets');
    expect(table).toContain(
      'Period: 2026-10-01 to 2026-10-31 (Europe/London); as at Mon 2 Nov 2026, 09:00 GMT',
    );
    expect(table).toMatch(/RHIs completed within 72 hours, % of returns +50%\n/);
    expect(table).toMatch(/Prevention Interview, median hours from return +5\.5 h\n/);
  });

  it('as CSV, has one line per figure with the bare value and how it is counted', () => {
    const lines = renderReport(report, 'csv').trimEnd().split('\r\n');
    expect(lines[0]).toBe('council,from,to,as_at,figure,label,unit,value,counted');
    expect(lines).toHaveLength(report.figures.length + 1);
    expect(lines).toContain(
      'tower-hamlets,2026-10-01,2026-11-01,2026-11-02T09:00:00Z,rhi.completed_in_time_percent,' +
        '"RHIs completed within 72 hours, % of returns",percent,50,' +
        '"RHIs completed in time as a percentage of returns, to one decimal place; blank when there were no returns."',
    );
  });

  it('as JSON, is the report itself', () => {
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  });
});
