import { type FireOutcome, fireNotice } from '../../shared/notify/fire-notice';
import { ReminderInvocationSchema } from '../../shared/notify/notify-messages';
import type { NotifyDeps } from '../notify/notify-handler';

/**
 * The Scheduler's target: fires one deadline notice. A malformed payload is logged and answered, never
 * retried; a transient send failure throws, so the Scheduler retries (and the sweep is there behind it).
 */
export const createReminderHandler = (deps: NotifyDeps) => {
  const { logger } = deps;
  const mail = { ...deps, log: logger };
  return async (event: unknown): Promise<{ outcome: FireOutcome | 'malformed' }> => {
    const invocation = ReminderInvocationSchema.safeParse(event);
    if (!invocation.success) {
      logger.error('malformed reminder invocation dropped', {
        fields: invocation.error.issues.map((i) => i.path.join('.') || '(payload)').join(','),
      });
      return { outcome: 'malformed' };
    }
    const outcome = await fireNotice(mail, invocation.data);
    logger.info('deadline notice fired', { ...invocation.data, outcome });
    return { outcome };
  };
};
