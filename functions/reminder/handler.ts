import { awsMailDeps } from '../notify/aws-mail-deps';
import { createReminderHandler } from './reminder-handler';

export const handler = createReminderHandler(awsMailDeps('reminder'));
