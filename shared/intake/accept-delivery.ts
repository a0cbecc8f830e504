import { randomUUID } from 'node:crypto';
import { type ChildPseudonyms, childPseudonyms } from '../children/child-pseudonyms';
import { legacyChildId } from '../children/legacy-child-id';
import { type ChildMatch, matchChild } from '../children/match-child';
import type { CouncilConfig } from '../council/council-schema';
import { noticeChanges } from '../deadlines/deadline-notices';
import { outboxItems } from '../dispatch/outbox-item';
import type { DomainError } from '../domain-error';
import { admitEvent } from '../episode/admit-event';
import type { EpisodeState } from '../episode/episode-state';
import { type EpisodeReport, foldEpisode } from '../episode/fold-episode';
import { isReport, type PipelineEvent } from '../events/event-schemas';
import type {
  ChildRecord,
  Clock,
  DeliveryLookup,
  EpisodeRecord,
  IntakeStore,
  PseudonymKey,
  RecordReview,
  RegistryWrite,
  SecretSource,
  StoredEvent,
} from '../ports';
import { addDays, compareInstants } from '../time/instant';
import { checkRequest, type IntakeRequest, type Refused, refused } from './check-request';

/** Concurrent deliveries for one episode each re-read and re-fold; this many tries is ample. */
const COMMIT_ATTEMPTS = 10;

/** A short random pause before re-reading, so writers that collided do not collide again in step. */
const backOff = (attempt: number) =>
  new Promise((done) => setTimeout(done, Math.random() * 20 * Math.min(attempt, 5)));

/** Intake writes to the store and nothing else: what follows from an event goes out through the outbox. */
export interface IntakePorts extends CommitPorts {
  secrets: SecretSource;
}

/** What admitting and committing an event needs, whoever verified it. */
export interface CommitPorts {
  store: IntakeStore;
  /** The key the child registry's pseudonyms are computed under (read only for a report). */
  pseudonymKey: PseudonymKey;
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

/** The child's other (non-withdrawn) episodes, when each was reported and its kind: what repeat-missing counts. */
const otherEpisodes = (child: ChildRecord, episodeId: string): EpisodeReport[] =>
  child.episodes
    .filter((e) => e.episodeId !== episodeId && e.status !== 'withdrawn')
    .map((e) => ({ reportedAt: e.reportedAt, kind: e.kind }))
    .sort((a, b) => compareInstants(a.reportedAt, b.reportedAt));

interface Target {
  episode?: EpisodeRecord;
  episodeId: string;
  childId: string;
  previousEpisodeId?: string;
  otherEpisodes: EpisodeReport[];
  /** What a report records of its child in the registry, and the review it asks of a person, if any. */
  registry?: RegistryWrite;
  review?: RecordReview;
}

const registered = (match: ChildMatch | undefined): Pick<Target, 'registry' | 'review'> => ({
  ...(match ? { registry: match.record } : {}),
  ...(match?.review ? { review: match.review } : {}),
});

/** Whether the store holds anything of a child: episodes stored before the registry, under the old id. */
const holdsChild = (record: ChildRecord) => record.openEpisodeId !== undefined || record.episodes.length > 0;

/**
 * Which episode the event belongs to. A known episodeRef names its episode (one read of it); a report sent
 * under it adds its identifiers to that episode's child. A new report finds its child in the registry through
 * the identifiers the first read looked up (matchChild's rules) and reads the child once, for their identity,
 * open episode and history together: it joins the open episode while the child is still missing or absent,
 * and starts a new one (linked to it) once the child has been found, so a child has one open episode and
 * never an overlap. A report none of whose identifiers the registry knows reads the child's partition under
 * the id stored before the registry instead, and adopts that child if it holds one (the lazy fill).
 */
const findTarget = async (
  ports: CommitPorts,
  event: PipelineEvent,
  known: DeliveryLookup,
  pseudonyms: ChildPseudonyms | undefined,
): Promise<Target | undefined> => {
  const { store, council } = ports;
  const entries = known.identifiers ?? {};
  const episode = known.refEpisodeId ? await store.getEpisode(known.refEpisodeId) : undefined;
  if (episode) {
    return {
      episode,
      episodeId: episode.episodeId,
      childId: episode.childId,
      // Kept on the episode since this change; an episode stored before it reads the child once more.
      otherEpisodes:
        episode.otherEpisodes ?? otherEpisodes(await store.getChild(episode.childId), episode.episodeId),
      ...registered(pseudonyms && matchChild({ report: pseudonyms, entries, episodeChild: episode.childId })),
    };
  }
  if (!isReport(event) || !pseudonyms) return undefined;

  const named = pseudonyms.identifiers.map((i) => entries[i.key]).find((entry) => entry !== undefined);
  const candidate = named?.childId ?? legacyChildId(council.id, event.data.child);
  const read = await store.getChild(candidate);
  const match = matchChild({
    report: pseudonyms,
    entries,
    ...(read.identity ? { identity: read.identity } : {}),
    ...(!named && holdsChild(read) ? { adopt: candidate } : {}),
  });
  const record: ChildRecord = match.childId === candidate ? read : { episodes: [] };
  const open = record.openEpisodeId ? await store.getEpisode(record.openEpisodeId) : undefined;
  if (open && stillAway(open.state.status)) {
    return {
      episode: open,
      episodeId: open.episodeId,
      childId: match.childId,
      otherEpisodes: otherEpisodes(record, open.episodeId),
      ...registered(match),
    };
  }
  const episodeId = randomUUID();
  return {
    episodeId,
    childId: match.childId,
    ...(open?.state.status === 'found' ? { previousEpisodeId: open.episodeId } : {}),
    otherEpisodes: otherEpisodes(record, episodeId),
    ...registered(match),
  };
};

/** An event that passed the wire's checks (or was built from a form), and where it came from. */
export interface IncomingEvent {
  sourceId: string;
  event: PipelineEvent;
  /** The body exactly as signed and received, for a webhook. */
  rawBody?: string;
  /** How it was recorded when not by a source's own system: the audit trail keeps it with the event. */
  recordedVia?: StoredEvent['recordedVia'];
  /**
   * A condition of the caller's on the episode as read for this attempt, after the duplicate check and before
   * the domain rules (a link's step must still be owed): a refusal stores nothing.
   */
  guard?: (episode: EpisodeRecord | undefined) => DomainError | undefined;
}

/**
 * The intake use case: verify, check, parse, admit and commit the event. The wire's checks are
 * check-request.ts's; what follows them is acceptEvent's, which a form's submission enters too.
 */
export const acceptDelivery = async (ports: IntakePorts, request: IntakeRequest): Promise<IntakeOutcome> => {
  const checked = await checkRequest(ports, request);
  if (!checked.ok) return checked;
  return acceptEvent(ports, { sourceId: request.sourceId, event: checked.event, rawBody: checked.rawBody });
};

/**
 * Admits and commits one parsed event from a source. The commit is the request's only write: in one
 * transaction it stores the event, the episode's new state, the delivery record, the indexes (a report's
 * registry entries among them) and the outbox items (the routing message, the schedule changes), which the
 * dispatcher delivers after it. A redelivery of a stored (source, event id) is answered from the store alone,
 * as the first was, and does nothing else: its effects were committed with it. An event costs three store
 * requests: the delivery, ref and registry read, then the child read (a new report) or the episode read (an
 * event about a known episode), then the commit; a second report of a child still missing, under a new ref,
 * reads their open episode too.
 */
export const acceptEvent = async (ports: CommitPorts, incoming: IncomingEvent): Promise<IntakeOutcome> => {
  const { event, rawBody, sourceId, recordedVia } = incoming;
  const { store, council, clock } = ports;
  const pseudonyms = isReport(event)
    ? childPseudonyms(await ports.pseudonymKey.key(), event.data.child)
    : undefined;

  for (let attempt = 1; attempt <= COMMIT_ATTEMPTS; attempt++) {
    const known = await store.lookUpDelivery({
      sourceId,
      eventId: event.id,
      episodeRef: event.data.episodeRef,
      ...(pseudonyms ? { identifierKeys: pseudonyms.identifiers.map((i) => i.key) } : {}),
    });
    if (known.delivery) {
      const { episodeId, status } = known.delivery;
      return { ok: true, accepted: { episodeId, status, duplicate: true } };
    }

    const now = clock.now();
    const target = await findTarget(ports, event, known, pseudonyms);
    const guarded = incoming.guard?.(target?.episode);
    if (guarded) return refused(guarded);
    const before = target?.episode?.state;
    const refusal = admitEvent(event, before, now, council.timeZone);
    if (refusal) return refused(refusal);
    if (!target) throw new Error('an admitted event has no episode');

    const after = foldEpisode([...(target.episode?.events.map((e) => e.event) ?? []), event], {
      council,
      otherEpisodes: target.otherEpisodes,
    });
    if (!after) throw new Error('an admitted event folded to no episode');
    const notices = noticeChanges(before, after, council);

    const result = await store.commit({
      delivery: {
        sourceId,
        receivedAt: now,
        event,
        ...(rawBody === undefined ? {} : { rawBody }),
        ...(recordedVia ? { recordedVia } : {}),
      },
      episodeId: target.episodeId,
      childId: target.childId,
      episodeRef: event.data.episodeRef,
      ...(target.previousEpisodeId ? { previousEpisodeId: target.previousEpisodeId } : {}),
      state: after,
      expectedVersion: target.episode?.version ?? 0,
      otherEpisodes: target.otherEpisodes,
      ...(target.episode?.holdsOpenPointer === undefined
        ? {}
        : { heldOpenPointer: target.episode.holdsOpenPointer }),
      ...(target.registry ? { registry: target.registry } : {}),
      notices,
      outbox: outboxItems(
        {
          sourceId,
          eventId: event.id,
          episodeId: target.episodeId,
          ...(target.review ? { review: target.review } : {}),
        },
        notices,
        now,
      ),
      retentionExpiresAt: addDays(now, council.retention.days),
    });
    if (result === 'committed') {
      return { ok: true, accepted: { episodeId: target.episodeId, status: after.status, duplicate: false } };
    }
    // 'conflict': another writer got there first (the episode, the child's open pointer, or an identifier's
    // entry), so re-read and re-fold; 'duplicate': the next pass finds the delivery and answers it as a redelivery.
    await backOff(attempt);
  }
  throw new Error(`the episode kept changing: not stored after ${COMMIT_ATTEMPTS} attempts`);
};
