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
  /** The return: the clock starts when the child is found, or (the RHI) when they got home, if the police said. */
  startsAt: string;
  dueAt: string;
  metAt?: string;
  /** How it was met: the interview done, or (RHI only) declined by the child. */
  metBy?: 'completed' | 'declined';
  cancelled: boolean;
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
