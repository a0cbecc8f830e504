import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { EpisodeState } from '../episode/episode-state';
import type { ReportEpisode } from '../reports/timeliness-report';
import { episodeKey, episodePartition, TABLE_KEYS } from './episode-table';

/**
 * Every episode in a council's table, for the reports: a paginated Scan keeping only the episode items
 * (their audit trail, notices and indexes are left behind). A council has thousands of episodes a year,
 * not millions, so a monthly or on-demand scan is cheap; the pipeline itself never scans.
 */
export const scanEpisodes = async (
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<ReportEpisode[]> => {
  const prefix = episodePartition('');
  const episodes: ReportEpisode[] = [];
  const pages = paginateScan(
    { client: doc },
    {
      TableName: tableName,
      FilterExpression: '#sk = :sk AND begins_with(#pk, :prefix)',
      ProjectionExpression: '#pk, childId, #state',
      ExpressionAttributeNames: {
        '#pk': TABLE_KEYS.partitionKey,
        '#sk': TABLE_KEYS.sortKey,
        '#state': 'state',
      },
      ExpressionAttributeValues: { ':sk': episodeKey('').sk, ':prefix': prefix },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      episodes.push({
        episodeId: (item[TABLE_KEYS.partitionKey] as string).slice(prefix.length),
        childId: item.childId as string,
        state: item.state as EpisodeState,
      });
    }
  }
  return episodes;
};
