import * as z from 'zod/mini';
import { scanEpisodes } from '../../shared/adapters/dynamo-episode-scan';
import { DynamoEpisodeStore, episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { awsMailDeps } from '../notify/aws-mail-deps';
import { createMonthlyReportHandler } from './monthly-report-handler';

const { TABLE_NAME } = z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }).parse(process.env);
const doc = episodeTableClient();

export const handler = createMonthlyReportHandler({
  ...awsMailDeps('monthly-report', DynamoEpisodeStore),
  episodes: () => scanEpisodes(doc, TABLE_NAME),
});
