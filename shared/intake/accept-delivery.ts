import { randomUUID } from 'node:crypto';
import type { CouncilConfig } from '../council/council-schema';
import { type DeadlineNotice, noticeChanges } from '../deadlines/deadline-notices';
import { admitEvent } from '../episode/admit-event';
import { childId } from '../episode/child-identity';
import type { EpisodeState } from '../episode/episode-state';
import { foldEpisode } from '../episode/fold-episode';
import { isReport, type PipelineEvent } from '../events/event-schemas';
import type {
  AcceptedDelivery,
  Clock,
  DeadlineScheduler,
  EpisodeRecord,
  EpisodeStore,
  RoutingQueue,
  SecretSource,
} from '../ports';
import { addDays, compareInstants } from '../time/instant';
import { checkRequest, type IntakeRequest, type Refused, refused } from './check-request';

/** Concurrent deliveries for one episode each re-read and re-fold; this many tries is ample. */
const COMMIT_ATTEMPTS = 10;

/** A short random pause before re-reading, so writers that collided do not collide again in step. */
const backOff = (attempt: number) =>
  new Promise((done) => setTimeout(done, Math.random() * 20 * Math.min(attempt, 5)));

export interface IntakePorts {
  store: EpisodeStore;
  queue: RoutingQueue;
  scheduler: DeadlineScheduler;
  secrets: SecretSource;
  clock: Clock;
  council: CouncilConfig;
}

export interface Accepted {
  episodeId: string;
  status: EpisodeState['status'];
  duplicate: boolean;
}

export type IntakeOutcome = { ok: true; accepted: Accepted } | Refused;

/** A child still away: a new report about them is the same episode, not a new one. */
const stillAway = (status: EpisodeState['status']) => status === 'missing' || status === 'absent';

interface Target {
  episode?: EpisodeRecord;
  episodeId: string;
  childId: string;
  previousEpisodeId?: string;
}

/**
 * Which episode the event belongs to. A known episodeRef names its episode. A new report joins the child's
 * open episode while the child is still missing or absent, and starts a new one (linked to it) once the
 * child has been found: one open episode per child, never an overlap.
 */
const findTarget = async (ports: IntakePorts, event: PipelineEvent): Promise<Target | undefined> => {
  const { store, council } = ports;
  const byRef = await store.findEpisodeIdByRef(event.data.episodeRef);
  const episode = byRef ? await store.getEpisode(byRef) : undefined;
  if (episode) return { episode, episodeId: episode.episodeId, childId: episode.childId };
  if (!isReport(event)) return undefined;

  const child = childId(council.id, event.data.child);
  const openId = await store.findOpenEpisodeId(child);
  const open = openId ? await store.getEpisode(openId) : undefined;
  if (open && stillAway(open.state.status))
    return { episode: open, episodeId: open.episodeId, childId: child };
  return {
    episodeId: randomUUID(),
    childId: child,
    ...(open?.state.status === 'found' ? { previousEpisodeId: open.episodeId } : {}),
  };
};

/**
 * The schedule changes and the routing message one accepted event calls for, schedules first: a retry
 * re-makes a schedule harmlessly (same name), so only a failure in the last step can repeat the message.
 */
const runEffects = async (
  ports: IntakePorts,
  delivery: { sourceId: string; eventId: string; episodeId: string },
  notices: { create: DeadlineNotice[]; cancel: DeadlineNotice[] },
) => {
  const now = ports.clock.now();
  await Promise.all([
    // A notice already due needs no schedule: the sweep fires it at its next run.
    ...notices.create
      .filter((notice) => compareInstants(notice.fireAt, now) > 0)
      .map((notice) => ports.scheduler.schedule(delivery.episodeId, notice)),
    ...notices.cancel.map((notice) => ports.scheduler.cancel(delivery.episodeId, notice)),
  ]);
  await ports.queue.send([delivery]);
  await ports.store.markEffectsDone(delivery.sourceId, delivery.eventId);
};

/**
 * A redelivery of a stored event: answer as the first delivery did, and first finish its effects if they
 * failed then. Its notice changes are re-derived as what this event adds to the episode's other events.
 */
const redelivered = async (ports: IntakePorts, delivery: AcceptedDelivery): Promise<IntakeOutcome> => {
  if (!delivery.effectsDone) {
    const episode = await ports.store.getEpisode(delivery.episodeId);
    if (episode) {
      const context = {
        council: ports.council,
        otherEpisodes: await ports.store.childEpisodeReports(episode.childId, episode.episodeId),
      };
      const all = episode.events.map((stored) => stored.event);
      const before = foldEpisode(
        all.filter((event) => event.id !== delivery.eventId),
        context,
      );
      const after = foldEpisode(all, context);
      await runEffects(
        ports,
        delivery,
        after ? noticeChanges(before, after, ports.council) : { create: [], cancel: [] },
      );
    }
  }
  return { ok: true, accepted: { episodeId: delivery.episodeId, status: delivery.status, duplicate: true } };
};

/**
 * The intake use case: verify, check, parse, admit and store the event (the store is the truth: it is
 * written before any effect), then queue its routing message and make or cancel its deadline schedules.
 * An effect that fails throws after the event is stored; the sender's retry of the same delivery finishes it.
 */
export const acceptDelivery = async (ports: IntakePorts, request: IntakeRequest): Promise<IntakeOutcome> => {
  const checked = await checkRequest(ports, request);
  if (!checked.ok) return checked;
  const { event, rawBody } = checked;
  const { store, council, clock } = ports;
  const { sourceId } = request;

  for (let attempt = 1; attempt <= COMMIT_ATTEMPTS; attempt++) {
    const earlier = await store.findDelivery(sourceId, event.id);
    if (earlier) return redelivered(ports, earlier);

    const now = clock.now();
    const target = await findTarget(ports, event);
    const before = target?.episode?.state;
    const refusal = admitEvent(event, before, now, council.timeZone);
    if (refusal) return refused(refusal);
    if (!target) throw new Error('an admitted event has no episode');

    const context = {
      council,
      otherEpisodes: await store.childEpisodeReports(target.childId, target.episodeId),
    };
    const after = foldEpisode([...(target.episode?.events.map((e) => e.event) ?? []), event], context);
    if (!after) throw new Error('an admitted event folded to no episode');
    const notices = noticeChanges(before, after, council);

    const result = await store.commit({
      delivery: { sourceId, receivedAt: now, event, rawBody },
      episodeId: target.episodeId,
      childId: target.childId,
      episodeRef: event.data.episodeRef,
      ...(target.previousEpisodeId ? { previousEpisodeId: target.previousEpisodeId } : {}),
      state: after,
      expectedVersion: target.episode?.version ?? 0,
      notices,
      retentionExpiresAt: addDays(now, council.retention.days),
    });
    // 'conflict': another writer got there first, so re-read and re-fold; 'duplicate': the next pass
    // finds the delivery and answers it as a redelivery.
    if (result !== 'committed') {
      await backOff(attempt);
      continue;
    }
    await runEffects(ports, { sourceId, eventId: event.id, episodeId: target.episodeId }, notices);
    return { ok: true, accepted: { episodeId: target.episodeId, status: after.status, duplicate: false } };
  }
  throw new Error(`the episode kept changing: not stored after ${COMMIT_ATTEMPTS} attempts`);
};
