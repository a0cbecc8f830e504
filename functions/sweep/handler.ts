import { DynamoNoticeStore } from '../../shared/adapters/dynamo-notice-store';
import { awsMailDeps } from '../notify/aws-mail-deps';
import { createSweepHandler } from './sweep-handler';

export const handler = createSweepHandler(awsMailDeps('sweep', DynamoNoticeStore));
