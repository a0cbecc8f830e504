import type { CouncilConfig } from '../../shared/council/council-schema';
import type { PipelineEvent } from '../../shared/events/event-schemas';
import { type Accepted, acceptEvent } from '../../shared/intake/accept-delivery';
import { deliverRoutingMessage } from '../../shared/notify/deliver-routing-message';
import { MemoryEpisodeStore } from './memory-episode-store';
import { FakeMailer, recordingLog, settableClock } from './notify-fakes';
import { testPseudonymKey } from './pseudonym-key';

/**
 * Intake's use case after the request checks, and notify after it, on one in-memory store: events go in
 * as accepted deliveries, and `notify` delivers every routing message committed since its last call (as
 * the dispatcher and the queue would), once or twice.
 */
export const intakeAndNotify = (council: CouncilConfig, now = '2026-10-30T12:00:00Z') => {
  const store = new MemoryEpisodeStore();
  const mailer = new FakeMailer();
  const clock = settableClock(now);
  const ports = {
    store,
    secrets: { secretsFor: async () => [] },
    pseudonymKey: testPseudonymKey,
    clock,
    council,
  };
  const mail = { store, mailer, clock, council, log: recordingLog() };
  return {
    store,
    mailer,
    async deliver(sourceId: string, event: PipelineEvent): Promise<Accepted> {
      const outcome = await acceptEvent(ports, { sourceId, event, rawBody: JSON.stringify(event) });
      if (!outcome.ok) throw new Error(`${event.id} refused: ${outcome.error.detail}`);
      return outcome.accepted;
    },
    /** Delivers each routing message committed since the last call; `times: 2` as a redelivering queue would. */
    async notify(times = 1): Promise<void> {
      for (const item of store.takeOutbox()) {
        if (item.kind !== 'routing') continue;
        for (let i = 0; i < times; i++) await deliverRoutingMessage(mail, item.message);
      }
    },
  };
};
