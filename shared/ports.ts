import type { StepKind } from './actions/step-kinds';
import type { IdentifierKind } from './children/child-identifiers';
import type { IdentifierKey } from './children/child-pseudonyms';
import type { DeadlineNotice } from './deadlines/deadline-notices';
import type { EpisodeState } from './episode/episode-state';
import type { EpisodeReport } from './episode/fold-episode';
import type { PipelineEvent } from './events/event-schemas';

/**
 * The ports the core names. One adapter per backend implements each (shared/adapters/*); only adapters
 * import an AWS client. The local runtime swaps the queue and scheduler adapters and keeps the rest.
 */

/** "Now", as a UTC ISO-8601 instant. The core never reads the system clock itself. */
export interface Clock {
  now(): string;
}

/** An accepted input, kept as it came: the audit trail. */
export interface StoredEvent {
  sourceId: string;
  receivedAt: string;
  event: PipelineEvent;
  /** The body exactly as signed and received (`event` is it parsed, trimmed and with defaults). */
  rawBody?: string;
  /** Recorded by a person from the link in an email rather than sent by a system: which link it was. */
  recordedVia?: { emailLink: EmailLinkRecord };
}

/** What the audit trail keeps of the link a step was recorded from: whom it was sent to, for what, until when. */
export interface EmailLinkRecord {
  /** The agency the link's email went to (the source is `email:<agency>`). */
  agencyId: string;
  step: StepKind;
  expiresAt: string;
}

export interface EpisodeRecord {
  episodeId: string;
  childId: string;
  /** Every episodeRef that names this episode (a second report while it was open links here). */
  episodeRefs: string[];
  /** The child's previous episode, when this one began before that one closed. */
  previousEpisodeId?: string;
  state: EpisodeState;
  events: StoredEvent[];
  /** Optimistic-concurrency version: every commit increments it. */
  version: number;
  /**
   * The child's other episodes as the fold last counted them (repeat-missing), so an event that is not a
   * report needs no read of the child. Absent on episodes stored before it was kept.
   */
  otherEpisodes?: EpisodeReport[];
  /**
   * Whether the child's OPEN pointer names this episode, as the store last wrote it; handed back in the
   * commit, so closing the episode knows whether to free the pointer without reading it. Absent on episodes
   * stored before it was kept (the store then reads the pointer).
   */
  holdsOpenPointer?: boolean;
}

/** What a delivery of (source, event id) resulted in; kept so a redelivery is answered from the store alone. */
export interface AcceptedDelivery {
  sourceId: string;
  eventId: string;
  episodeId: string;
  status: EpisodeState['status'];
}

/** The keys intake looks up before it folds, all in one consistent read. */
export interface DeliveryKeys {
  sourceId: string;
  eventId: string;
  episodeRef: string;
  /** A report's identifier pseudonyms: which child, if any, each already names in the registry. */
  identifierKeys?: string[];
}

/**
 * What the store already knows of a delivery: whether it is stored, which episode its ref names, and the
 * registry entries of the identifiers asked for (present only when some were asked for).
 */
export interface DeliveryLookup {
  delivery?: AcceptedDelivery;
  /** The episode the event's episodeRef names, if any. */
  refEpisodeId?: string;
  /** The registry entries found, by identifier pseudonym. */
  identifiers?: Record<string, RegistryEntry>;
}

/** One identifier's entry in the child registry: the child it names. */
export interface RegistryEntry {
  childId: string;
  /** The episode the identifier was last reported on, and that report's ref: what a review email names. */
  episodeId: string;
  episodeRef: string;
}

/**
 * What the registry holds of a child: the pseudonyms of every identifier recorded for them, by kind, and of
 * their date of birth. Kept with the child, so a report can be told apart from them without their details.
 */
export type ChildIdentity = Partial<Record<IdentifierKind | 'born', string[]>>;

/** A report's identifiers to record as naming the commit's child (or to re-stamp), and its date of birth. */
export interface RegistryWrite {
  identifiers: IdentifierKey[];
  born?: string;
}

/** One of a child's episodes, as the child's own items list it. */
export interface ChildEpisode {
  episodeId: string;
  kind: EpisodeState['kind'];
  status: EpisodeState['status'];
  reportedAt: string;
}

/** A child's episodes and which one is open (missing, absent or found): one at most; and their identity. */
export interface ChildRecord {
  openEpisodeId?: string;
  episodes: ChildEpisode[];
  /** Absent for a child stored before the registry, until a report of theirs is committed. */
  identity?: ChildIdentity;
}

/** One deadline notice as stored: the truth the Scheduler and the sweep both fire from. */
export interface NoticeRecord extends DeadlineNotice {
  episodeId: string;
  noticeKey: string;
  state: 'pending' | 'sent' | 'cancelled';
  sentAt?: string;
  /**
   * While a holder is firing it: the notice stays pending, and no one else may claim it before this time,
   * when the sweep finds it again if its holder died before finishing (see NoticeStore.claimNotice).
   */
  leaseUntil?: string;
}

/**
 * What must follow from one committed event, stored in the same transaction as the event and delivered at
 * least once afterwards by the dispatcher: ids, notice keys and times only, never personal data.
 */
export type OutboxItem =
  | { kind: 'routing'; committedAt: string; message: RoutingMessage }
  | {
      kind: 'deadlines';
      committedAt: string;
      episodeId: string;
      /** Notices to schedule, or to put on the deadline queue at once when already due. */
      schedule: DeadlineNotice[];
      cancel: DeadlineNotice[];
    };

export interface EpisodeCommit {
  delivery: StoredEvent;
  episodeId: string;
  childId: string;
  episodeRef: string;
  previousEpisodeId?: string;
  state: EpisodeState;
  /** The version read before folding; the commit fails with 'conflict' if another writer got there first. */
  expectedVersion: number;
  /** What the fold counted as the child's other episodes (EpisodeRecord.otherEpisodes). */
  otherEpisodes: EpisodeReport[];
  /** EpisodeRecord.holdsOpenPointer as read, for an existing episode. */
  heldOpenPointer?: boolean;
  /**
   * A report's registry entries, each written naming `childId` and conditioned on naming no other child (two
   * first reports of one child racing: one commits, the other gets 'conflict' and reads the winner's).
   */
  registry?: RegistryWrite;
  notices: { create: DeadlineNotice[]; cancel: DeadlineNotice[] };
  /** The outbox items written with the event (see outboxItems). */
  outbox: OutboxItem[];
  retentionExpiresAt: string;
}

/** What every function that emails reads and writes: an episode, and the records of the emails sent. */
export interface EpisodeStore {
  getEpisode(episodeId: string): Promise<EpisodeRecord | undefined>;
  /** Which of these emails were already sent, in one read (a redelivered message sends nothing twice). */
  alreadySent(sendKeys: string[]): Promise<Set<string>>;
  /** Records emails sent (or refused), in one write; a send already recorded keeps its first record. */
  recordSends(sends: SendRecord[]): Promise<void>;
}

/** The episode store with the deadline notices the reminder and the sweep fire. */
export interface NoticeStore extends EpisodeStore {
  /**
   * Notices still pending whose fire time is at or before `until`, oldest first; a leased one counts from the
   * end of its lease, so one whose holder died comes back once the lease has run out.
   */
  dueNotices(until: string, limit: number): Promise<NoticeRecord[]>;
  getNotice(episodeId: string, noticeKey: string): Promise<NoticeRecord | undefined>;
  /** A notice and the episode it belongs to, in one read (they share the episode's partition). */
  getNoticeWithEpisode(
    episodeId: string,
    noticeKey: string,
  ): Promise<{ notice?: NoticeRecord; episode?: EpisodeRecord }>;
  /**
   * Leases a pending notice to its caller until `leaseUntil`, unless another holder's lease is still live at
   * `now`: the notice stays pending, listed by dueNotices from the lease's end, so a holder that dies mid-send
   * loses nothing. The claim says which inboxes an earlier holder emailed (see NoticeClaim).
   */
  claimNotice(episodeId: string, noticeKey: string, now: string, leaseUntil: string): Promise<NoticeClaim>;
  /**
   * Gives the caller's lease (the `leaseUntil` it claimed with) back when the send after the claim failed:
   * listed from its fire time again, so the retry or the sweep fires it. A lease not the caller's is left alone.
   */
  releaseNotice(episodeId: string, noticeKey: string, leaseUntil: string): Promise<void>;
  /**
   * pending -> sent at `at`, off the pending list and its lease gone, in one write: every email it owed went,
   * or it owed none. A notice no longer pending (cancelled meanwhile by a commit) stays as it is.
   */
  finishNotice(episodeId: string, noticeKey: string, at: string): Promise<void>;
  /**
   * Records a notice's emails sent (or refused) on the notice itself, in one write; an inbox already recorded
   * keeps its first record. The notice's next claim reads them back, so a notice needs no send records of its
   * own. With `finishedAt`, the same write finishes the notice (finishNotice), as these were the last it owed.
   */
  recordNoticeSends(
    episodeId: string,
    noticeKey: string,
    sends: SendRecord[],
    finishedAt?: string,
  ): Promise<void>;
}

/**
 * The episode store with intake's commit path: what accepting an event needs, whether a system sent it
 * (intake) or a person recorded it from an email's link (the action pages).
 */
export interface IntakeStore extends EpisodeStore {
  /** The delivery record and the ref in one consistent read: intake's first request. */
  lookUpDelivery(keys: DeliveryKeys): Promise<DeliveryLookup>;
  /** The child's open episode and every episode of theirs, in one read. */
  getChild(childId: string): Promise<ChildRecord>;
  /**
   * Atomically stores the event, the new state, the delivery record, the ref and child indexes, the registry
   * entries, the notice changes and the outbox items. 'duplicate' when this (source, event id) is already
   * stored; 'conflict' when the episode moved on since expectedVersion (re-read and retry), the child has
   * another open episode, or an identifier now names another child.
   */
  commit(change: EpisodeCommit): Promise<'committed' | 'duplicate' | 'conflict'>;
}

/**
 * A notice leased to the caller, or not: it was sent or cancelled already, or another holder's lease is live.
 * A claim carries the inboxes (lower case) recorded on the notice as emailed, in one step with it: none unless
 * an earlier holder emailed some before it gave the claim back or died.
 */
export type NoticeClaim = { claimed: false } | { claimed: true; emailed: string[] };

export interface SendRecord {
  sendKey: string;
  episodeId: string;
  /** What was sent, for audit: ids and addresses only, no child details. */
  recipientRef: string;
  address: string;
  messageId?: string;
  outcome: 'sent' | 'rejected';
  at: string;
  /** When the record may be deleted: the council's retention, like the episode it belongs to. */
  retentionExpiresAt: string;
}

/** A routing message: ids only, never personal data. */
export interface RoutingMessage {
  episodeId: string;
  eventId: string;
  sourceId: string;
  /** The report conflicts with a record the registry holds: the council's managers are asked to review it. */
  review?: RecordReview;
}

/**
 * Why a person must look at a report's child: the registry never merges children itself.
 * - `two-children`: the report's identifiers name two children; it joined the one `decidedBy` names, and
 *   `conflicting` name the other.
 * - `kept-apart`: `conflicting` found a child whose NHS number or UPN is not the report's `decidedBy`: the
 *   report was recorded as another child.
 * - `identifier-differs`: it joined the child `decidedBy` names, whose NHS number or UPN (`conflicting`) is
 *   another; the report's was not recorded.
 * - `born-differs`: it joined the child `decidedBy` names, whose date of birth is another; the report's name
 *   and date of birth were not recorded.
 */
export interface RecordReview {
  reason: 'two-children' | 'kept-apart' | 'identifier-differs' | 'born-differs';
  /** What placed the report: the strongest identifier that found a child (or made a new one), or its episodeRef. */
  decidedBy: IdentifierKind | 'episodeRef';
  /** The kinds of identifier that name the other record, or differ from it. */
  conflicting: IdentifierKind[];
  /** The record it conflicts with: the episode its identifier was last reported on. */
  other: { episodeId: string; episodeRef: string };
  /** The two children (one, twice, and the reason, when it is one child's record): emailed once however often raised. */
  key: string;
}

export interface RoutingQueue {
  send(messages: RoutingMessage[]): Promise<void>;
}

/** The payload a deadline schedule puts on the deadline queue for the reminder function: ids only. */
export interface ReminderInvocation {
  episodeId: string;
  noticeKey: string;
}

/**
 * The deadline queue the reminder function consumes, which the schedules put their payloads on: a notice
 * already due when its event is committed goes straight onto it, and the reminder fires it through its claim.
 */
export interface DeadlineQueue {
  send(invocations: ReminderInvocation[]): Promise<void>;
}

/**
 * Puts a queue message back as a new message after a delay. A throttled send is retried this way, so
 * throttling never spends the receives after which a failing message is dead-lettered.
 */
export interface Requeue {
  later(body: string, options: { delaySeconds: number; throttledRetries: number }): Promise<void>;
}

export interface DeadlineScheduler {
  /** Creating one that already exists counts as success. */
  schedule(episodeId: string, notice: DeadlineNotice): Promise<void>;
  /** Deleting one already gone counts as success. */
  cancel(episodeId: string, notice: DeadlineNotice): Promise<void>;
}

export interface OutgoingEmail {
  /**
   * The send's identity (its send record's key): a mailer that can refuse a repeat of it does, so a crash
   * between sending and recording the send shows no duplicate. SES has no such key and ignores it.
   */
  sendKey?: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * Why an email was not taken: `recipient-rejected`, the address itself was refused (permanent: the email
 * goes to the council's fallback inbox instead); `sending-blocked`, the account, the sending identity or
 * the configuration cannot send (sandbox, unverified domain, paused sending, daily quota, a missing grant:
 * retried, and alarmed, until a person fixes it); `throttled`, over the sending rate (retried later,
 * never counted against a message's retries); `transient`, a network or service fault (retried).
 */
export type MailFailure = 'recipient-rejected' | 'sending-blocked' | 'throttled' | 'transient';

export type MailResult =
  | { ok: true; messageId: string }
  | { ok: false; failure: MailFailure; reason: string };

export interface Mailer {
  send(email: OutgoingEmail): Promise<MailResult>;
}

/**
 * The deployment's secret key for the child registry's pseudonyms (HMAC-SHA-256). Never rotated: every
 * identifier's entry and every child id made since the registry began depends on it.
 */
export interface PseudonymKey {
  key(): Promise<string>;
}

/**
 * The keys that sign the links in emails and verify them on the way back: the first signs, each verifies
 * (more than one while a key is being rotated).
 */
export interface LinkKeySource {
  keys(): Promise<string[]>;
}

/** Every active secret of a source (more than one while a secret is being rotated). */
export interface SecretSource {
  secretsFor(sourceId: string, options?: { refresh?: boolean }): Promise<string[]>;
}
