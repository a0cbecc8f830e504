import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bathNes } from '../../support/councils';
import { reportEpisode } from '../../unit/reports/report-episodes';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);

const stored = (episodeId: string, childId: string, story: Parameters<typeof reportEpisode>[2]) => {
  const { state } = reportEpisode(episodeId, childId, story, bathNes);
  return { pk: `EPISODE#${episodeId}`, childId, state };
};

beforeAll(() => {
  vi.stubEnv('COUNCIL_CONFIG', JSON.stringify(bathNes));
  vi.stubEnv('STAGE', 'test');
  vi.stubEnv('TABLE_NAME', 'episodes-bath-ne-somerset');
  vi.stubEnv('AWS_REGION', 'eu-west-2');
  vi.useFakeTimers({ now: new Date('2026-11-01T07:00:00Z'), toFake: ['Date'] });
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('the monthly report function', () => {
  it('scans the council’s table page by page and emails last month’s figures to its managers', async () => {
    dynamo
      .on(ScanCommand)
      .resolvesOnce({
        Items: [
          stored('b1', 'child-a', {
            lastSeenAt: '2026-10-02T10:00:00Z',
            foundAt: '2026-10-03T10:00:00Z',
            rhiCompletedAt: '2026-10-04T10:00:00Z',
          }),
        ],
        LastEvaluatedKey: { pk: 'EPISODE#b1', sk: 'EPISODE' },
      })
      .resolvesOnce({
        Items: [
          stored('b2', 'child-b', { lastSeenAt: '2026-10-20T10:00:00Z', foundAt: '2026-10-21T10:00:00Z' }),
        ],
      });
    dynamo.on(BatchGetCommand).resolves({ Responses: {} });
    dynamo.on(PutCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-monthly-1' });

    const { handler } = await import('../../../functions/monthly-report/handler');
    expect(await handler()).toEqual({ from: '2026-10-01', to: '2026-11-01', outcome: 'sent' });

    const scans = dynamo.commandCalls(ScanCommand).map((call) => call.args[0].input);
    expect(scans).toHaveLength(2);
    expect(scans[0]).toMatchObject({
      TableName: 'episodes-bath-ne-somerset',
      ExpressionAttributeValues: { ':sk': 'EPISODE', ':prefix': 'EPISODE#' },
    });
    expect(scans[1]?.ExclusiveStartKey).toEqual({ pk: 'EPISODE#b1', sk: 'EPISODE' });

    const email = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(email?.Destination?.ToAddresses).toEqual(['missing-managers@bathnes.invalid']);
    expect(email?.Message?.Body?.Text?.Data).toContain('RHIs completed within 72 hours, % of returns: 50%');
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: 'SEND#monthly-report#bath-ne-somerset#2026-10-01',
      outcome: 'sent',
    });
  });
});
