import type { DeadlineKind } from '../council/council-schema';
import type {
  ChildDetails,
  ConcernFlags,
  PipelineEvent,
  PlacingAuthorityDetails,
  RiskFactor,
  RiskGrade,
} from '../events/event-schemas';

export type EpisodeKind = 'missing' | 'absence';
export type EpisodeStatus = 'missing' | 'absent' | 'found' | 'closed' | 'withdrawn';

/** A deadline as the events define it; whether it is overdue depends on the clock (see deadline-status). */
export interface Deadline {
  kind: DeadlineKind;
  /**
   * When its clock started: the return (the RHI's: when the child got home, if the police said), the last
   * sighting (while missing or absent), the high-risk grade (a strategy discussion), or the event that
   * recorded an immediate risk of significant harm (an acknowledgement).
   */
  startsAt: string;
  dueAt: string;
  metAt?: string;
  /** How it was met, in the words of the step that met it. */
  metBy?: 'completed' | 'declined' | 'reviewed' | 'held' | 'confirmed' | 'acknowledged';
  /** No longer owed and not met: the episode withdrawn, or (while missing or absent) the child found. */
  cancelled: boolean;
  /** When it stopped being owed unmet; after `dueAt`, it was missed before it ended. */
  cancelledAt?: string;
  /** The id of the event that opened it, where one did (an immediate-harm concern): its sender is the referrer. */
  openedBy?: string;
}

export interface RiskAssessment {
  grade: RiskGrade;
  at: string;
  eventId: string;
}

export interface PreventionInterview {
  state: 'not_due' | 'due' | 'completed';
  completedAt?: string;
  concerns?: ConcernFlags;
}

export interface ReturnHomeInterview {
  state: 'not_due' | 'due' | 'offered' | 'completed' | 'declined';
  offeredAt?: string;
  appointmentAt?: string;
  completedAt?: string;
  declinedAt?: string;
  setting?: 'neutral' | 'home' | 'school' | 'other';
  concerns?: ConcernFlags;
}

/** Everything the pipeline knows of one episode, folded from its events. */
export interface EpisodeState {
  episodeRef: string;
  kind: EpisodeKind;
  status: EpisodeStatus;
  child: ChildDetails;
  reportedBy: string;
  reportedAt: string;
  lastSeenAt: string;
  lastSeenPlace?: string;
  circumstances?: string;
  school?: { name: string; urn?: string; email?: string };
  socialWorker?: { email: string };
  /** Named for a looked-after child placed here by another council; else the council itself placed the child. */
  placingAuthority?: PlacingAuthorityDetails;
  foundAt?: string;
  returnedHomeAt?: string;
  foundPlace?: string;
  returnedTo?: 'home' | 'placement' | 'other';
  harmSuspected?: boolean;
  riskGrade?: RiskGrade;
  riskHistory: RiskAssessment[];
  riskFactors: RiskFactor[];
  /**
   * The child's episodes within the council's repeat-missing window up to this one, this one included (absences
   * only where the council counts them), and whether that reaches the council's threshold.
   */
  episodesInWindow: number;
  repeatMissing: boolean;
  preventionInterview: PreventionInterview;
  returnHomeInterview: ReturnHomeInterview;
  deadlines: Deadline[];
  withdrawnReason?: string;
  closedAt?: string;
  /** The distinct events folded, by id, in the canonical order. */
  eventIds: string[];
}

export type { PipelineEvent };
