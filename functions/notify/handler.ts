import { awsMailDeps } from './aws-mail-deps';
import { createNotifyHandler } from './notify-handler';

export const handler = createNotifyHandler(awsMailDeps('notify'));
