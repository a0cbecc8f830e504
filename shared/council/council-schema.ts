import * as z from 'zod/mini';
import {
  DeadlineKind,
  EMAIL_SOURCE_PREFIX,
  emailSourceId,
  isEmailSource,
  recordableEventTypes,
  UndatedStep,
} from '../actions/step-kinds';
import {
  DetailCategory,
  detailCategories,
  riskFactorCategories,
  specialCategories,
} from '../events/detail-categories';
import { EventType } from '../events/event-types';
import { RiskFactor, RiskGrade } from '../events/risk-factors';
import { StrategyOutcome } from '../events/strategy-outcome';
import '../validation/english-messages';

const slug = z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by -'));
const nonEmpty = () => z.string().check(z.minLength(1));
const positiveInt = () => z.number().check(z.int(), z.positive());

/**
 * An inbox. Where a guide gives no address, the council file carries a placeholder on the reserved
 * `.invalid` domain, marked as such, so nothing is ever delivered there and a production build refuses it.
 */
export const Inbox = z
  .strictObject({
    address: z.email(),
    placeholder: z._default(z.boolean(), false),
  })
  .check(
    z.refine((inbox) => inbox.placeholder === inbox.address.endsWith('.invalid'), {
      message: 'a placeholder inbox must be on the .invalid domain, and only a placeholder may be',
      path: ['placeholder'],
    }),
  );
export type Inbox = z.infer<typeof Inbox>;

/**
 * Ofcom's telephone numbers for drama, never allocated to anyone: where a guide gives no number, the council
 * file carries one of these, so nobody is ever rung by mistake and a production build refuses it.
 */
const dramaNumberPrefixes = ['02079460', '01174960', '01632960', '07700900'];
export const isPlaceholderPhone = (phone: string): boolean =>
  dramaNumberPrefixes.some((prefix) => phone.replaceAll(' ', '').startsWith(prefix));

export const Agency = z.strictObject({
  name: nonEmpty(),
  inbox: Inbox,
  /** The categories of detail about the child this agency's emails carry: only what its part needs. */
  details: z.array(DetailCategory),
  phones: z._default(z.array(z.string().check(z.regex(/^[0-9 +]+$/, 'digits and spaces'))), []),
});
export type Agency = z.infer<typeof Agency>;

/**
 * Recipients that come from the episode itself, each with the council agency used when the report names
 * none (and whose categories of detail it gets): the child's school, social worker and placing authority,
 * the agency that recorded the event being routed (its source's agency) and that agency's own
 * safeguarding lead, and the referrer: the agency that recorded the immediate risk of significant harm
 * an acknowledgement answers.
 */
export const episodeRecipients = [
  'school',
  'social-worker',
  'placing-authority',
  'recording-agency',
  'recording-safeguarding-lead',
  'referrer',
] as const;
export const RecipientRef = z.union([z.enum(episodeRecipients), slug]);
export type RecipientRef = z.infer<typeof RecipientRef>;

/** The recipients that only an event has (the agency that recorded it): never a deadline's or a source's. */
const recordingRecipients: readonly string[] = ['recording-agency', 'recording-safeguarding-lead'];

/** The event types that can record an immediate risk of significant harm, so make their sender a referrer. */
export const referringEventTypes: readonly EventType[] = [
  'missing.found',
  'prevention_interview.completed',
  'rhi.completed',
];

export { DeadlineKind };

export const RoutingCondition = z.strictObject({
  kind: z.optional(z.enum(['missing', 'absence'])),
  /** The event came from the police's own system (a source whose agency is the police). */
  sentByPolice: z.optional(z.boolean()),
  riskGrade: z.optional(z.array(RiskGrade).check(z.minLength(1))),
  /** The event changes the picture of risk: a grade other than the one before, or a risk factor not recorded before. */
  riskChanged: z.optional(z.boolean()),
  /** The event records one of these risk factors for the first time in the episode. */
  riskFactors: z.optional(z.array(RiskFactor).check(z.minLength(1))),
  repeatMissing: z.optional(z.boolean()),
  lookedAfter: z.optional(z.boolean()),
  riskOfHarm: z.optional(z.boolean()),
  immediateSignificantHarm: z.optional(z.boolean()),
  exploitationConcern: z.optional(z.boolean()),
  /** The police found indications of harm on return: child protection procedures apply. */
  harmSuspected: z.optional(z.boolean()),
  /** A strategy discussion decided one of these. */
  strategyOutcome: z.optional(z.array(StrategyOutcome).check(z.minLength(1))),
  /** A person recorded the event from the link in an email (an `email:` source), not a system. */
  fromEmailLink: z.optional(z.boolean()),
});
export type RoutingCondition = z.infer<typeof RoutingCondition>;

export const RoutingRule = z.strictObject({
  id: slug,
  /**
   * Why this rule exists, in the guide's words: for whoever reads the council file, which must say it
   * (loadCouncilFile refuses a rule without one); nothing at run time reads it, so the bundles leave it out.
   */
  why: z.optional(nonEmpty()),
  on: z.array(EventType).check(z.minLength(1)),
  when: z._default(RoutingCondition, {}),
  notify: z
    .array(
      z.strictObject({
        to: RecipientRef,
        /** What this recipient must do, as the email says it. */
        action: nonEmpty(),
        /** The deadline the action is due by, when there is one: the email links to recording its step. */
        by: z.optional(DeadlineKind),
        /** A step the action asks for that no deadline tracks (the police's risk re-assessment): linked too. */
        asks: z.optional(UndatedStep),
      }),
    )
    .check(z.minLength(1)),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

/** Someone told on escalation, with what they must do (else: make sure the responsible agency does it now). */
export const EscalationRecipient = z.union([
  RecipientRef,
  z.strictObject({ to: RecipientRef, action: nonEmpty() }),
]);
export type EscalationRecipient = z.infer<typeof EscalationRecipient>;

const DeadlinePolicyFields = {
  /** Elapsed hours from the deadline's start (see each kind) to the due instant. */
  hours: positiveInt(),
  /** Asked for as soon as possible, `hours` being the latest (the guides' wording for the Prevention Interview). */
  asSoonAsPossible: z._default(z.boolean(), false),
  responsible: RecipientRef,
  action: nonEmpty(),
  /** Reminders to the responsible agency, this many hours before due. */
  remindBeforeHours: z._default(z.array(positiveInt()), []),
  /** The escalation fires this many hours after due, to these recipients as well as the responsible agency. */
  escalateAfterHours: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  escalateTo: z.array(EscalationRecipient).check(z.minLength(1)),
  /** Where the council's figures come from, for the README: the council's guide, or statutory guidance. */
  basis: z.optional(z.strictObject({ from: z.enum(['the guide', 'statutory guidance']), why: nonEmpty() })),
};

export const DeadlinePolicy = z.strictObject(DeadlinePolicyFields);
export type DeadlinePolicy = z.infer<typeof DeadlinePolicy>;

/**
 * A strategy discussion is due `hours` after the police first grade the child at one of `riskGrades`, or
 * `hoursMissing` after the child was last seen whatever the grade, whichever comes first.
 */
export const StrategyDiscussionPolicy = z.strictObject({
  ...DeadlinePolicyFields,
  riskGrades: z._default(z.array(RiskGrade).check(z.minLength(1)), ['high']),
  hoursMissing: z.optional(positiveInt()),
});
export type StrategyDiscussionPolicy = z.infer<typeof StrategyDiscussionPolicy>;

/**
 * A system that posts signed webhooks (its id a slug), or an agency recording steps from the links in its
 * emails (`email:<agency id>`, no webhook): either way, the events it may record and whose they are.
 */
export const Source = z.strictObject({
  name: nonEmpty(),
  events: z.array(EventType).check(z.minLength(1)),
  /** Whose system this is: the agency that records what this source sends (`school`: the child's school). */
  agency: RecipientRef,
  /** That agency's own safeguarding lead, told when it records an immediate risk of significant harm. */
  safeguardingLead: z.optional(Inbox),
});
export type Source = z.infer<typeof Source>;

export const CouncilConfig = z
  .strictObject({
    id: slug,
    name: nonEmpty(),
    shortName: nonEmpty(),
    timeZone: z.string().check(z.refine(isTimeZone, 'an IANA time zone such as Europe/London')),
    protocol: z.strictObject({ name: nonEmpty(), url: z.optional(z.url()) }),
    policeForce: nonEmpty(),
    agencies: z.record(slug, Agency),
    /** Which agency plays each part the guides name. */
    roles: z.strictObject({
      police: slug,
      rhiProvider: slug,
      exploitationTeam: slug,
      socialCare: slug,
      dutyAndAssessment: slug,
      earlyHelp: slug,
      safeguardingLead: slug,
      schools: slug,
      managers: slug,
      /** The police force's own supervisors: an overdue Prevention Interview goes up their chain. */
      policeSupervisors: slug,
      /**
       * Where an email goes when SES refuses its recipient's address, so the child's news still reaches a
       * person who can pass it on: an agency that holds every category of detail.
       */
      fallback: slug,
    }),
    /** The contacts every email carries, each under its own name. */
    contacts: z.strictObject({
      /** The agency the guide names for further information, support or advice. */
      advice: z.optional(slug),
      requestForServiceUrl: z.optional(z.url()),
      /** The out-of-hours emergency duty service: an agency with a phone number. */
      outOfHours: slug,
    }),
    email: z.strictObject({
      from: Inbox,
      replyTo: z.optional(Inbox),
      /** The operators' test inbox: a staging stack sends every email here instead of to the agencies. */
      testInbox: z.optional(Inbox),
    }),
    sources: z.record(
      z
        .string()
        .check(
          z.regex(
            new RegExp(`^(${EMAIL_SOURCE_PREFIX})?[a-z0-9]+(-[a-z0-9]+)*$`),
            `lower-case words joined by -, or ${EMAIL_SOURCE_PREFIX} and an agency id`,
          ),
        ),
      Source,
    ),
    routing: z.array(RoutingRule).check(z.minLength(1)),
    /** The interviews are every council's; a council without one of the other policies does not track it. */
    deadlines: z.strictObject({
      prevention_interview: DeadlinePolicy,
      return_home_interview: DeadlinePolicy,
      manager_review: z.optional(DeadlinePolicy),
      head_of_service_review: z.optional(DeadlinePolicy),
      strategy_discussion: z.optional(StrategyDiscussionPolicy),
      safety_check: z.optional(DeadlinePolicy),
      referral_acknowledgement: z.optional(DeadlinePolicy),
    }),
    repeatMissing: z.strictObject({
      /** A report marks the child repeat-missing when it is the this-many-th episode within the window. */
      episodes: z.number().check(z.int(), z.gte(2)),
      withinDays: positiveInt(),
      /** Whether absences (whereabouts known) count as episodes, and can themselves be repeat episodes. */
      countAbsences: z.boolean(),
    }),
    retention: z.strictObject({ days: positiveInt() }),
  })
  .check(
    z.superRefine((council, ctx) => {
      for (const issue of councilIssues(council)) ctx.addIssue(issue);
    }),
  );
export type CouncilConfig = z.infer<typeof CouncilConfig>;
export type CouncilConfigInput = z.input<typeof CouncilConfig>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

type CouncilShape = z.output<typeof CouncilConfig>;
type Issue = { code: 'custom'; message: string; path: (string | number)[] };

/**
 * The council agency whose categories of detail a recipient gets: the agency itself, or, for a recipient
 * taken from the episode, the agency that stands in for it when the report names none. The recording
 * agency's (and the referrer's) is that of the source that sent the event; its safeguarding lead's is the
 * same agency's when the source names its own, a school's designated safeguarding inbox is the school, else
 * the council's.
 */
export const agencyBehind = (
  ref: RecipientRef,
  council: Pick<CouncilShape, 'roles'>,
  source?: Pick<Source, 'agency' | 'safeguardingLead'>,
): string => {
  const { roles } = council;
  switch (ref) {
    case 'school':
      return roles.schools;
    case 'social-worker':
    case 'placing-authority':
      return roles.socialCare;
    case 'recording-agency':
    case 'referrer':
      if (!source)
        throw new Error(`only an event has a ${ref === 'referrer' ? 'referrer' : 'recording agency'}`);
      return agencyBehind(source.agency, council);
    case 'recording-safeguarding-lead':
      if (!source) throw new Error('only an event has a recording agency');
      return source.safeguardingLead || source.agency === 'school'
        ? agencyBehind(source.agency, council)
        : roles.safeguardingLead;
    default:
      return ref;
  }
};

/** An escalation recipient as a recipient and what it is asked (none: make sure the responsible agency does it). */
export const escalationTarget = (entry: EscalationRecipient): { to: RecipientRef; action?: string } =>
  typeof entry === 'string' ? { to: entry } : entry;

/** The council's policy for a kind of deadline; only a deadline whose policy exists is ever opened. */
export const deadlinePolicy = (
  council: Pick<CouncilShape, 'deadlines' | 'id'>,
  kind: DeadlineKind,
): DeadlinePolicy => {
  const policy = council.deadlines[kind];
  if (!policy) throw new Error(`council ${council.id} has no ${kind} deadline`);
  return policy;
};

/** The kinds of deadline a council tracks, in the order of DeadlineKind. */
export const trackedDeadlineKinds = (council: Pick<CouncilShape, 'deadlines'>): DeadlineKind[] =>
  DeadlineKind.options.filter((kind) => council.deadlines[kind] !== undefined);

/** The sources that post signed webhooks: each has a secret and a route; an `email:` source has neither. */
export const webhookSources = (council: Pick<CouncilShape, 'sources'>): Record<string, Source> =>
  Object.fromEntries(Object.entries(council.sources).filter(([id]) => !isEmailSource(id)));

/** The categories of detail a rule's condition tells whoever it notifies, whatever the action says. */
export const conditionReveals = (when: RoutingCondition): Set<DetailCategory> =>
  new Set<DetailCategory>([
    ...(when.riskGrade || when.riskChanged || when.repeatMissing ? (['risk'] as const) : []),
    ...(when.lookedAfter ? (['care'] as const) : []),
    ...(when.riskOfHarm ||
    when.immediateSignificantHarm ||
    when.exploitationConcern ||
    when.harmSuspected ||
    when.strategyOutcome
      ? (['concerns'] as const)
      : []),
    ...(when.riskFactors ?? []).flatMap((factor) => riskFactorCategories[factor]),
  ]);

/** What the schema alone cannot say: every name refers to something, and no agency is told what it may not hold. */
const councilIssues = (council: CouncilShape): Issue[] => {
  const issues: Issue[] = [];
  const issue = (message: string, ...path: (string | number)[]) =>
    issues.push({ code: 'custom', message, path });
  const known = new Set([...Object.keys(council.agencies), ...episodeRecipients]);
  const check = (ref: string, path: (string | number)[], notRecording = false) => {
    if (!known.has(ref)) issue(`no agency "${ref}" in agencies`, ...path);
    else if (notRecording && recordingRecipients.includes(ref))
      issue('only an event has a recording agency', ...path);
  };
  for (const [role, ref] of Object.entries(council.roles)) {
    if (!(ref in council.agencies)) issue(`no agency "${ref}" in agencies`, 'roles', role);
  }
  const fallback = council.agencies[council.roles.fallback];
  if (fallback && !detailCategories.every((category) => fallback.details.includes(category))) {
    issue(
      'the fallback agency receives emails meant for any agency, so it must hold every category of detail',
      'roles',
      'fallback',
    );
  }
  for (const [field, ref] of [
    ['advice', council.contacts.advice],
    ['outOfHours', council.contacts.outOfHours],
  ] as const) {
    if (ref !== undefined && !(ref in council.agencies))
      issue(`no agency "${ref}" in agencies`, 'contacts', field);
  }
  if (council.agencies[council.contacts.outOfHours]?.phones.length === 0) {
    issue('the out-of-hours service needs a phone number', 'contacts', 'outOfHours');
  }
  if (council.protocol.url && council.protocol.url === council.contacts.requestForServiceUrl) {
    issue(
      'the protocol and the Request for Service form cannot share a link: each link goes under its own name',
      'protocol',
      'url',
    );
  }
  for (const role of ['schools', 'earlyHelp'] as const) {
    const id = council.roles[role];
    const special = council.agencies[id]?.details.filter((c) => specialCategories.includes(c)) ?? [];
    if (special.length > 0) {
      issue(
        `special-category details never go to ${role === 'schools' ? 'a school' : 'Early Help'}: ${special.join(', ')}`,
        'agencies',
        id,
        'details',
      );
    }
  }
  for (const [id, source] of Object.entries(council.sources)) {
    check(source.agency, ['sources', id, 'agency'], true);
    if (!isEmailSource(id)) continue;
    // One council agency recording the steps its emails ask of it, each receipted to its own inbox, so a step
    // recorded in its name never goes unseen there.
    if (id !== emailSourceId(source.agency) || !(source.agency in council.agencies))
      issue(
        `an email source is named after its council agency: ${emailSourceId(source.agency)}`,
        'sources',
        id,
      );
    source.events.forEach((type, i) => {
      const path = ['sources', id, 'events', i];
      if (!recordableEventTypes.includes(type)) issue(`${type} is not a step a link records`, ...path);
      else if (
        !council.routing.some(
          (r) =>
            r.on.includes(type) && r.when.fromEmailLink && r.notify.some((n) => n.to === 'recording-agency'),
        )
      )
        issue(`no rule receipts ${type} from a link to its recording-agency`, ...path);
    });
  }
  const sendersOf = (types: readonly string[]) =>
    Object.values(council.sources).filter(
      (s) => known.has(s.agency) && s.events.some((e) => types.includes(e)),
    );
  const referrers = sendersOf(referringEventTypes);

  council.routing.forEach((rule, r) => {
    const reveals = conditionReveals(rule.when);
    const senders = sendersOf(rule.on);
    rule.notify.forEach((n, i) => {
      const path = ['routing', r, 'notify', i, 'to'];
      check(n.to, path);
      if (!known.has(n.to)) return;
      const behind = recordingRecipients.includes(n.to)
        ? senders.map((s) => agencyBehind(n.to, council, s))
        : n.to === 'referrer'
          ? referrers.map((s) => agencyBehind(n.to, council, s))
          : [agencyBehind(n.to, council)];
      for (const id of new Set(behind)) {
        const held = new Set(council.agencies[id]?.details ?? []);
        const missing = [...reveals].filter((c) => !held.has(c));
        if (missing.length > 0)
          issue(`${id} does not hold ${missing.join(', ')}, which this rule's condition reveals`, ...path);
      }
      if (n.by && !council.deadlines[n.by])
        issue(`no ${n.by} deadline in deadlines`, 'routing', r, 'notify', i, 'by');
    });
  });
  for (const kind of trackedDeadlineKinds(council)) {
    const policy = deadlinePolicy(council, kind);
    // Only an acknowledgement is opened by one event, whose sender (the referrer) its escalation may tell.
    const deadlineRef = (ref: string, path: (string | number)[], mayBeReferrer = false) => {
      check(ref, path, true);
      if (ref === 'referrer' && !mayBeReferrer)
        issue('only an acknowledgement deadline has a referrer', ...path);
    };
    deadlineRef(policy.responsible, ['deadlines', kind, 'responsible']);
    policy.escalateTo.forEach((entry, i) => {
      deadlineRef(
        escalationTarget(entry).to,
        ['deadlines', kind, 'escalateTo', i],
        kind === 'referral_acknowledgement',
      );
    });
    const soonest = Math.min(policy.hours, (policy as { hoursMissing?: number }).hoursMissing ?? Infinity);
    policy.remindBeforeHours.forEach((h, i) => {
      if (h >= soonest)
        issue('a reminder must fall after the deadline starts', 'deadlines', kind, 'remindBeforeHours', i);
    });
  }
  return issues;
};
