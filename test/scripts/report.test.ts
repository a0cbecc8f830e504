import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocalServer, startDynamoDbLocal } from '../../infra/local/dynamodb-local-server';
import { localDynamoDbClient } from '../../infra/local/local-episode-table';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { DynamoIntakeStore } from '../../shared/adapters/dynamo-intake-store';
import { createTableInput } from '../../shared/adapters/episode-table';
import { type ReportEpisode, timelinessReport } from '../../shared/reports/timeliness-report';
import { towerHamlets } from '../support/councils';
import { parsedEvent, reportData } from '../support/events';
import { reportEpisode } from '../unit/reports/report-episodes';

const run = promisify(execFile);
const tsx = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const reportScript = new URL('../../scripts/report.ts', import.meta.url).pathname;
const table = 'episodes-report-test';
const now = '2026-11-04T12:00:00Z';

const episodes: ReportEpisode[] = [
  reportEpisode('11111111-0000-4000-8000-000000000001', 'child-a', {
    lookedAfter: true,
    localId: 'LAC-1',
    lastSeenAt: '2026-10-02T10:00:00Z',
    foundAt: '2026-10-03T10:00:00Z',
    preventionInterviewAt: '2026-10-03T15:00:00Z',
    rhiCompletedAt: '2026-10-05T10:00:00Z',
  }),
  reportEpisode('11111111-0000-4000-8000-000000000002', 'child-b', {
    lastSeenAt: '2026-10-20T10:00:00Z',
    foundAt: '2026-10-21T10:00:00Z',
  }),
  reportEpisode('11111111-0000-4000-8000-000000000003', 'child-a', {
    lookedAfter: true,
    localId: 'LAC-1',
    kind: 'absence',
    lastSeenAt: '2026-10-29T10:00:00Z',
  }),
];

let server: DynamoDbLocalServer | undefined;

beforeAll(async () => {
  server = await startDynamoDbLocal();
  const client = localDynamoDbClient(server.endpoint);
  await client.send(new CreateTableCommand(createTableInput(table)));
  const store = new DynamoIntakeStore(episodeTableClient(client), table);
  for (const { episodeId, childId, state } of episodes) {
    const event = parsedEvent('missing.reported', reportData(state.episodeRef), { id: `${episodeId}-1` });
    const outcome = await store.commit({
      delivery: { sourceId: 'met-police', receivedAt: now, event },
      episodeId,
      childId,
      episodeRef: state.episodeRef,
      state,
      expectedVersion: 0,
      otherEpisodes: [],
      notices: { create: [], cancel: [] },
      outbox: [],
      retentionExpiresAt: '2033-11-04T12:00:00Z',
    });
    expect(outcome).toBe('committed');
  }
  client.destroy();
});

afterAll(async () => {
  await server?.stop();
});

const report = (...args: string[]) =>
  run(tsx, [
    reportScript,
    '--council',
    'tower-hamlets',
    '--endpoint',
    server?.endpoint ?? '',
    '--table',
    table,
    ...args,
  ]);

describe('npm run report, reading a council table in DynamoDB Local', () => {
  it('gives the same figures as the report over the episodes it stored', async () => {
    const { stdout } = await report('--month', '2026-10', '--format', 'json', '--now', now);
    const fromStore = JSON.parse(stdout);
    const expected = timelinessReport(episodes, towerHamlets, { from: '2026-10-01', to: '2026-11-01' }, now);
    expect(fromStore).toEqual(JSON.parse(JSON.stringify(expected)));
    const value = (id: string) => fromStore.figures.find((f: { id: string }) => f.id === id)?.value;
    expect([
      value('episodes.missing'),
      value('episodes.absence'),
      value('children'),
      value('returns'),
    ]).toEqual([2, 1, 2, 2]);
    // Overdue: two interviews, and the absence nobody has confirmed safe since 31 October.
    expect([value('rhi.completed_in_time_percent'), value('deadlines.overdue')]).toEqual([50, 3]);
  });

  it('prints a table for a period given by its first and last-plus-one dates', async () => {
    const { stdout } = await report('--from', '2026-10-01', '--to', '2026-10-15', '--now', now);
    expect(stdout).toContain('Period: 2026-10-01 to 2026-10-14 (Europe/London)');
    expect(stdout).toMatch(/^Returns +1$/m);
  });

  it('extracts the SSDA903 Missing table for the reporting year', async () => {
    const { stdout } = await report('--extract', 'ssda903', '--year', '2026');
    expect(stdout).toBe(
      'CHILD,DOB,MISSING,MIS_START,MIS_END\r\nLAC-1,14/05/2011,M,02/10/2026,03/10/2026\r\nLAC-1,14/05/2011,A,29/10/2026,\r\n',
    );
  });

  it('refuses a report without a period, saying what to give', async () => {
    await expect(report('--format', 'csv')).rejects.toThrow(/give --month, or --from and --to/);
  });
});
