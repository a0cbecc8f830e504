import * as z from 'zod/mini';
import '../validation/english-messages';
import { isValidNhsNumber, isValidUpn, nhsDigits } from '../children/child-identifiers';
import type { EventType } from './event-types';
import { RiskFactor, RiskGrade } from './risk-factors';
import { StrategyOutcome } from './strategy-outcome';

/** An instant with its offset, as integrators send it ("2026-10-24T09:30:00+01:00" or "...Z"). */
export const Instant = z.iso.datetime({ offset: true });

/** The police or reporting system's reference, unique within a council. */
export const EpisodeRef = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9/_.:-]*$/,
      'letters, digits and / _ . : - only, starting with a letter or digit',
    ),
  );

const riskFactors = z.array(RiskFactor).check(z.maxLength(40));

/**
 * A police risk grade as an event carries it: the legacy "absent" grade is accepted and read as very low.
 * Kept with the events rather than beside RiskGrade, so the functions that only read grades leave it out of
 * their bundles (esbuild keeps every zod schema a module defines, used or not).
 */
export const RiskGradeInput = z.pipe(
  z.enum([...RiskGrade.options, 'absent']),
  z.transform((grade): RiskGrade => (grade === 'absent' ? 'very_low' : grade)),
);

/**
 * What typed text never holds: the C0 controls, DEL and the C1 controls, and UTF-16 surrogates that do not
 * pair (JSON can carry a lone one as an escape). Notes may also hold tabs and line breaks (LF or CR LF).
 */
const TYPED_CHARACTER = String.raw`[^\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]`;
const oneLine = z.regex(
  new RegExp(`^(?:${TYPED_CHARACTER})*$`),
  'must be one line of text: no control characters (not even a tab or line break) and no unpaired surrogates',
);
const lines = z.regex(
  new RegExp(`^(?:${TYPED_CHARACTER}|\\t|\\n|\\r\\n)*$`),
  'must not contain control characters other than tab and line breaks (LF or CR LF), nor unpaired surrogates',
);

/** A free string of the envelope or data: one line of typed text. */
const plain = (max: number) => z.string().check(z.maxLength(max), oneLine);

/** Typed text, trimmed and not empty: one line, or several for a free-text note (circumstances, a reason). */
const text = (max: number, form: 'line' | 'note' = 'line') =>
  z.string().check(z.trim(), z.minLength(1), z.maxLength(max), form === 'note' ? lines : oneLine);

const NHS_NUMBER_FORM = /^(?:\d{10}|\d{3} \d{3} \d{4})$/;

/** Ten digits, or the same spaced 3 3 4 as printed on NHS letters; stored as the digits. */
export const NhsNumber = z.string().check(
  z.regex(NHS_NUMBER_FORM, 'must be ten digits (spaced 3 3 4, or not at all)'),
  z.overwrite((value) => (NHS_NUMBER_FORM.test(value) ? nhsDigits(value) : value)),
  z.refine(
    (digits) => !/^\d{10}$/.test(digits) || isValidNhsNumber(digits),
    'fails the NHS number check digit (Modulus 11): check the number as recorded',
  ),
);

/** Spelt out in both cases, as a JSON Schema pattern carries no flags. */
const UPN_FORM = /^[A-HJ-NP-RT-Za-hj-np-rt-z]\d{11}[0-9A-HJ-NP-RT-Za-hj-np-rt-z]$/;

/** A check letter, 11 digits, and a digit or (a temporary UPN) a letter; no I, O or S. Stored upper-case. */
export const Upn = z.string().check(
  z.regex(
    UPN_FORM,
    'must be a 13-character Unique Pupil Number: a letter, 11 digits, then a digit or letter (no I, O or S)',
  ),
  z.toUpperCase(),
  z.refine(
    (upn) => !UPN_FORM.test(upn) || isValidUpn(upn),
    'fails the Unique Pupil Number check letter (its first character): check the UPN as recorded',
  ),
);

export const ChildIdentifiers = z.strictObject({
  nhsNumber: z.optional(NhsNumber),
  upn: z.optional(Upn),
  localId: z.optional(text(64)),
});

export const Child = z.strictObject({
  givenName: text(100),
  familyName: text(100),
  dateOfBirth: z.iso.date(),
  identifiers: z.optional(ChildIdentifiers),
  /**
   * Looked after by a local authority: the episode is "missing from care", SSDA903 applies, and the placing
   * authority (`placingAuthority`, or this council when none is named) and the social worker are told.
   */
  lookedAfter: z._default(z.boolean(), false),
});

export const School = z.strictObject({
  name: text(200),
  urn: z.optional(z.string().check(z.regex(/^\d{6}$/, 'a six-digit school URN'))),
  email: z.optional(z.email()),
});

export const SocialWorker = z.strictObject({
  email: z.email(),
});

/** The authority that placed a looked-after child here from another council, and its inbox for missing children. */
export const PlacingAuthority = z.strictObject({
  name: text(200),
  email: z.email(),
});

/** Who recorded what an event says, so an agency acting on it can reach them at once. */
export const RecordedBy = z.strictObject({
  name: text(200),
  phone: z.optional(z.string().check(z.regex(/^\+?[0-9 ]{6,20}$/, 'a phone number: digits and spaces'))),
  email: z.optional(z.email()),
});

export const ReportedBy = z.enum(['parent_carer', 'school', 'police', 'social_care', 'other']);

export const ReportData = z.strictObject({
  episodeRef: EpisodeRef,
  child: Child,
  reportedBy: ReportedBy,
  lastSeenAt: Instant,
  lastSeenPlace: z.optional(text(500)),
  circumstances: z.optional(text(4000, 'note')),
  riskGrade: z.optional(RiskGradeInput),
  riskFactors: z.optional(riskFactors),
  school: z.optional(School),
  socialWorker: z.optional(SocialWorker),
  /** Only for a looked-after child placed here by another council. */
  placingAuthority: z.optional(PlacingAuthority),
});

export const RiskAssessedData = z.strictObject({
  episodeRef: EpisodeRef,
  riskGrade: RiskGradeInput,
  assessedAt: z.optional(Instant),
  riskFactors: z.optional(riskFactors),
});

export const FoundData = z.strictObject({
  episodeRef: EpisodeRef,
  foundAt: Instant,
  /** When the child got home (or to their placement): the Return Home Interview's 72 hours run from it. */
  returnedHomeAt: z.optional(Instant),
  foundPlace: z.optional(text(500)),
  returnedTo: z.optional(z.enum(['home', 'placement', 'other'])),
  harmSuspected: z.optional(z.boolean()),
  recordedBy: z.optional(RecordedBy),
});

export const Concerns = z.strictObject({
  riskOfHarm: z.boolean(),
  immediateSignificantHarm: z.boolean(),
  exploitation: z.boolean(),
});

export const PreventionInterviewCompletedData = z.strictObject({
  episodeRef: EpisodeRef,
  completedAt: Instant,
  concerns: z.optional(Concerns),
  recordedBy: z.optional(RecordedBy),
});

export const InterviewSetting = z.enum(['neutral', 'home', 'school', 'other']);

export const RhiOfferedData = z.strictObject({
  episodeRef: EpisodeRef,
  offeredAt: Instant,
  appointmentAt: z.optional(Instant),
  setting: z.optional(InterviewSetting),
});

/** Whether the RHI worker referred or signposted the child on (B&NES: "may refer or signpost on"), and to whom. */
export const Referral = z.strictObject({
  outcome: z.enum(['referred', 'signposted', 'none']),
  to: z.optional(text(200)),
});

export const RhiCompletedData = z.strictObject({
  episodeRef: EpisodeRef,
  completedAt: Instant,
  setting: InterviewSetting,
  concerns: Concerns,
  riskFactors: z.optional(riskFactors),
  referral: z.optional(Referral),
  recordedBy: z.optional(RecordedBy),
});

export const RhiDeclinedData = z.strictObject({
  episodeRef: EpisodeRef,
  declinedAt: Instant,
  reason: z.optional(text(1000, 'note')),
});

/** Who recorded a step of social care's, and their note on it. */
const stepRecord = {
  recordedBy: z.optional(RecordedBy),
  note: z.optional(text(2000, 'note')),
};

/** A strategy discussion held about the child: while missing (high risk, or missing long), or after harm was found. */
export const StrategyDiscussionHeldData = z.strictObject({
  episodeRef: EpisodeRef,
  heldAt: Instant,
  outcome: StrategyOutcome,
  ...stepRecord,
});

/** The Duty and Assessment Team acknowledged the referral of an immediate risk of significant harm: by whom, when. */
export const ReferralAcknowledgedData = z.strictObject({
  episodeRef: EpisodeRef,
  acknowledgedAt: Instant,
  acknowledgedBy: RecordedBy,
});

/** Who reviewed the plan for a child still missing: the social worker's manager, or the head of service. */
export const ReviewLevel = z.enum(['manager', 'head_of_service']);

export const MissingReviewedData = z.strictObject({
  episodeRef: EpisodeRef,
  reviewedAt: Instant,
  level: ReviewLevel,
  ...stepRecord,
});

/** During an absence (whereabouts known), the social worker confirmed the child is safe where they are. */
export const AbsenceSafetyConfirmedData = z.strictObject({
  episodeRef: EpisodeRef,
  confirmedAt: Instant,
  ...stepRecord,
});

export const WithdrawnData = z.strictObject({
  episodeRef: EpisodeRef,
  reason: text(1000, 'note'),
});

/** The data schema of each event type of the v1 wire contract. */
export const eventDataSchemas = {
  'missing.reported': ReportData,
  'absence.reported': ReportData,
  'missing.risk_assessed': RiskAssessedData,
  'missing.found': FoundData,
  'prevention_interview.completed': PreventionInterviewCompletedData,
  'rhi.offered': RhiOfferedData,
  'rhi.completed': RhiCompletedData,
  'rhi.declined': RhiDeclinedData,
  'strategy_discussion.held': StrategyDiscussionHeldData,
  'referral.acknowledged': ReferralAcknowledgedData,
  'missing.reviewed': MissingReviewedData,
  'absence.safety_confirmed': AbsenceSafetyConfirmedData,
  'episode.withdrawn': WithdrawnData,
} as const satisfies Record<EventType, z.ZodMiniType>;

export { EventType, eventTypes, isReport } from './event-types';

const envelope = {
  specversion: z.literal('1.0'),
  id: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(200),
      z.regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only'),
    ),
  source: plain(500).check(z.minLength(1)),
  time: Instant,
  datacontenttype: z.optional(z.literal('application/json')),
  subject: z.optional(plain(200)),
};

const cloudEvent = <T extends EventType>(type: T) =>
  z.strictObject({ ...envelope, type: z.literal(type), data: eventDataSchemas[type] });

/** A CloudEvents 1.0 structured JSON event, discriminated by type. */
export const PipelineEvent = z.discriminatedUnion('type', [
  cloudEvent('missing.reported'),
  cloudEvent('absence.reported'),
  cloudEvent('missing.risk_assessed'),
  cloudEvent('missing.found'),
  cloudEvent('prevention_interview.completed'),
  cloudEvent('rhi.offered'),
  cloudEvent('rhi.completed'),
  cloudEvent('rhi.declined'),
  cloudEvent('strategy_discussion.held'),
  cloudEvent('referral.acknowledged'),
  cloudEvent('missing.reviewed'),
  cloudEvent('absence.safety_confirmed'),
  cloudEvent('episode.withdrawn'),
]);
export type PipelineEvent = z.infer<typeof PipelineEvent>;
/** What a sender posts, before defaults and the legacy risk grade are applied. */
export type PipelineEventInput = z.input<typeof PipelineEvent>;
export type EventOf<T extends EventType> = Extract<PipelineEvent, { type: T }>;
export type ReportEvent = EventOf<'missing.reported' | 'absence.reported'>;
export type ChildDetails = z.infer<typeof Child>;
export type ConcernFlags = z.infer<typeof Concerns>;
export type PlacingAuthorityDetails = z.infer<typeof PlacingAuthority>;
export type RecordedByDetails = z.infer<typeof RecordedBy>;
export type { RiskFactor, RiskGrade };
export { StrategyOutcome };
