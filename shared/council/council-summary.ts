import { stepInSentence } from '../actions/action-steps';
import { stepEvents } from '../actions/step-kinds';
import { deadlineInSentence, deadlineKinds, deadlineLabel } from '../deadlines/deadline-kinds';
import { type DetailCategory, detailCategories } from '../events/detail-categories';
import {
  agencyBehind,
  type CouncilConfig,
  type DeadlineKind,
  deadlinePolicy,
  escalationTarget,
  type RecipientRef,
  type RoutingCondition,
  trackedDeadlineKinds,
} from './council-schema';

/**
 * The README's account of a council file, made from it so the two never disagree: for each agency, and
 * each recipient taken from the episode, what it is told to do and when, and which categories of detail
 * about the child reach it.
 */

/** What each category of detail holds: documentation, kept out of the functions' bundles. */
const detailCategoryDescriptions: Record<DetailCategory, string> = {
  identity: 'name and date of birth',
  identifiers: 'NHS number, Unique Pupil Number, local id',
  whereabouts: 'where the child was last seen and found, where they returned to, the school they attend',
  risk: "the police risk grade and its changes, and the child's history of going missing",
  care: 'looked after, the placing authority, the allocated social worker',
  concerns:
    'harm suspected on return; what the interviews found; whether the child was referred or signposted on',
  education: 'bullying, missing education',
  relationships: 'family and peer push and pull factors',
  crime: 'involvement in crime, being a victim of crime',
  exploitation: 'criminal exploitation, grooming or coercion, fear of repercussion, trafficking',
  sexual_exploitation: 'child sexual exploitation (special category)',
  fgm_or_forced_marriage: 'fear of forced marriage or FGM (special category)',
  pregnancy: 'pregnancy or fear of it (special category)',
  abuse: 'abuse or neglect, domestic abuse (special category)',
  health: 'physical or mental health, alcohol or substance misuse (special category)',
  free_text:
    "the senders' own words: circumstances, reasons, who the child was referred to (may hold anything, so treated as special)",
};

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string) => `\`${text}\``;
const words = (text: string) => text.replaceAll('_', ' ');

/** A routing condition in words: "graded high, newly recording bullying". */
const conditionWords = (when: RoutingCondition): string[] => {
  const yesNo = (value: boolean | undefined, yes: string, no: string) =>
    value === undefined ? [] : [value ? yes : no];
  return [
    ...(when.kind ? [when.kind === 'missing' ? 'a missing episode' : 'an absence'] : []),
    ...yesNo(when.sentByPolice, "sent by the police's own system", 'sent by any other system'),
    ...(when.riskGrade ? [`graded ${when.riskGrade.map(words).join(' or ')}`] : []),
    ...yesNo(when.riskChanged, 'changing the risk grade or adding a risk factor', 'changing no risk'),
    ...(when.riskFactors ? [`newly recording ${when.riskFactors.map(words).join(', ')}`] : []),
    ...yesNo(when.repeatMissing, 'a repeat episode', 'not a repeat episode'),
    ...yesNo(when.lookedAfter, 'a looked-after child', 'a child not looked after'),
    ...yesNo(when.riskOfHarm, 'recording a risk of harm', 'recording no risk of harm'),
    ...yesNo(
      when.immediateSignificantHarm,
      'recording an immediate risk of significant harm',
      'recording no immediate risk of significant harm',
    ),
    ...yesNo(
      when.exploitationConcern,
      'recording exploitation concerns',
      'recording no exploitation concerns',
    ),
    ...yesNo(when.harmSuspected, 'harm suspected on return', 'no harm suspected on return'),
    ...(when.strategyOutcome ? [`deciding on ${when.strategyOutcome.map(words).join(' or ')}`] : []),
    ...yesNo(when.fromEmailLink, 'recorded from the link in an email', 'sent by a system'),
  ];
};

const categoriesText = (categories: readonly DetailCategory[]): string =>
  categories.length === 0
    ? 'the episode reference only'
    : categories.length === detailCategories.length
      ? 'every category'
      : detailCategories.filter((c) => categories.includes(c)).join(', ');

/** Who a recipient of the council file is, in words, and whose categories of detail it gets. */
const episodeRecipientWords: Record<string, (council: CouncilConfig) => string> = {
  school: (c) =>
    `The child's school (the report's \`school.email\`; else ${c.agencies[c.roles.schools]?.name})`,
  'social-worker': (c) =>
    `The child's social worker (the report's \`socialWorker.email\`; else ${c.agencies[c.roles.socialCare]?.name})`,
  'placing-authority': (c) =>
    `A looked-after child's placing authority (the report's \`placingAuthority\`; else ${c.agencies[c.roles.socialCare]?.name})`,
  'recording-agency': () =>
    "The agency whose system sent the event, or who recorded it from an email's link (its source's `agency`)",
  'recording-safeguarding-lead': (c) =>
    `That agency's own safeguarding lead (its source's \`safeguardingLead\`; a school's own inbox; else ${c.agencies[c.roles.safeguardingLead]?.name})`,
  referrer: () =>
    "The referrer: the agency whose system recorded the immediate risk of significant harm (its source's `agency`)",
};

interface Row {
  when: string;
  what: string;
}

/** The recipients taken from the episode that fall back to this agency when the report names none. */
const standsInFor = (ref: RecipientRef, council: CouncilConfig): Row[] =>
  (['school', 'social-worker', 'placing-authority'] as const)
    .filter((episodeRef) => agencyBehind(episodeRef, council) === ref)
    .map((episodeRef) => ({
      when: `whenever the report names no ${episodeRef.replace('-', ' ')}`,
      what: `everything the ${episodeRef.replace('-', ' ')} is told (below)`,
    }));

const rowsFor = (ref: RecipientRef, council: CouncilConfig): Row[] => [
  ...standsInFor(ref, council),
  ...council.routing.flatMap((rule) =>
    rule.notify
      .filter((n) => n.to === ref)
      .map((n) => ({
        when: [rule.on.map(code).join(', '), conditionWords(rule.when).join(', ')].filter(Boolean).join(': '),
        what: n.by
          ? `${n.action} (${deadlineLabel(n.by)} deadline)`
          : n.asks
            ? `${n.action} (asks for ${stepInSentence(n.asks)})`
            : n.action,
      })),
  ),
  ...trackedDeadlineKinds(council).flatMap((kind) => {
    const policy = deadlinePolicy(council, kind);
    const label = deadlineInSentence(kind);
    const responsible = recipientName(policy.responsible, council);
    const escalated = policy.escalateTo.map(escalationTarget).find((e) => e.to === ref);
    return [
      ...(policy.responsible === ref
        ? policy.remindBeforeHours.map((h) => ({
            when: `${h} h before the ${label} is due (${dueWords(kind, council)})`,
            what: `Reminder: ${policy.action}`,
          }))
        : []),
      ...(policy.responsible === ref || escalated
        ? [
            {
              when: `${policy.escalateAfterHours === 0 ? 'When' : `${policy.escalateAfterHours} h after`} the ${label} is overdue`,
              what:
                policy.responsible === ref
                  ? `Escalation: ${policy.action}`
                  : `Escalation: ${escalated?.action ?? `make sure ${responsible} does it.`}`,
            },
          ]
        : []),
    ];
  }),
];

/** A recipient of the council file by name: an agency's, or who an episode recipient is. */
const recipientName = (ref: RecipientRef, council: CouncilConfig): string =>
  council.agencies[ref]?.name ??
  ({
    'social-worker': "the child's social worker",
    school: "the child's school",
    'placing-authority': 'the placing authority',
    referrer: 'the referrer',
  }[ref] ||
    ref);

/**
 * When each kind of deadline starts and what ends it unmet beyond a withdrawal, in the README's words (as
 * episode-deadlines.ts folds them): no function reads them, so they live here, out of every bundle.
 */
const deadlineTimes: Record<DeadlineKind, { startsWhen: string; endsWhen?: string }> = {
  prevention_interview: { startsWhen: 'the child was found' },
  return_home_interview: { startsWhen: 'the child got home as the police recorded it, else was found' },
  manager_review: {
    startsWhen: 'the child was last seen, while still missing',
    endsWhen: 'the child is found',
  },
  head_of_service_review: {
    startsWhen: 'the child was last seen, while still missing',
    endsWhen: 'the child is found',
  },
  strategy_discussion: {
    startsWhen: 'the police first grade the child at a grade the policy names, while missing',
    endsWhen: 'the child is found',
  },
  safety_check: {
    startsWhen: 'the child was last seen, while still absent (whereabouts known)',
    endsWhen: 'the child is back where they should be',
  },
  referral_acknowledgement: {
    startsWhen:
      'an event records an immediate risk of significant harm (a Prevention Interview’s or RHI’s concerns) or harm suspected on return',
  },
};

/** When a deadline falls due, in words: "72 h after the child was found". */
const dueWords = (kind: DeadlineKind, council: CouncilConfig): string => {
  const strategy = council.deadlines.strategy_discussion;
  if (kind === 'strategy_discussion' && strategy) {
    const missing = strategy.hoursMissing;
    return `${strategy.hours} h after the police first grade the child ${strategy.riskGrades.map(words).join(' or ')} while missing${
      missing ? `, or ${missing} h after the child was last seen if sooner` : ''
    }`;
  }
  return `${deadlinePolicy(council, kind).hours} h after ${deadlineTimes[kind].startsWhen}`;
};

const stepWords = (kind: DeadlineKind): string => {
  const [type, ...others] = stepEvents[kind].events;
  const fixed = Object.entries(stepEvents[kind].fixed ?? {}).map(([field, value]) => `${field} \`${value}\``);
  return [
    `${code(type ?? '')}${fixed.length > 0 ? ` (${fixed.join(', ')})` : ''}`,
    ...[...others, ...(deadlineKinds[kind].alsoMetBy ?? [])].map(code),
  ].join(' or ');
};

/** Every deadline the council tracks: when due, who owes it, who hears when, what meets it, and why these figures. */
const deadlinesTable = (council: CouncilConfig): string[] => [
  '| deadline | due | responsible | reminders | escalation | met by | ends unmet | the figures are |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...trackedDeadlineKinds(council).map((kind) => {
    const policy = deadlinePolicy(council, kind);
    const facts = deadlineKinds[kind];
    const escalateTo = policy.escalateTo.map((e) => recipientName(escalationTarget(e).to, council));
    const cells = [
      facts.label,
      policy.asSoonAsPossible
        ? `as soon as possible, at the latest ${dueWords(kind, council)}`
        : dueWords(kind, council),
      recipientName(policy.responsible, council),
      policy.remindBeforeHours.length > 0
        ? `${policy.remindBeforeHours.map((h) => `${h} h`).join(', ')} before due`
        : 'none',
      `${policy.escalateAfterHours === 0 ? 'when overdue' : `${policy.escalateAfterHours} h after due`}: ${escalateTo.join(', ')}`,
      stepWords(kind),
      [deadlineTimes[kind].endsWhen, 'the episode is withdrawn'].filter(Boolean).join('; or '),
      policy.basis ? `from ${policy.basis.from}: ${policy.basis.why}` : '',
    ];
    return `| ${cells.map(cell).join(' | ')} |`;
  }),
];

/** The README section for one council. */
export const councilSummary = (council: CouncilConfig): string => {
  const recipients: { ref: RecipientRef; who: string; details: string }[] = [
    ...Object.entries(council.agencies).map(([id, agency]) => ({
      ref: id,
      who: `${agency.name} (${code(id)})`,
      details: categoriesText(agency.details),
    })),
    ...Object.entries(episodeRecipientWords).map(([ref, who]) => ({
      ref,
      who: who(council),
      details:
        ref.startsWith('recording') || ref === 'referrer'
          ? "its agency's"
          : `as ${council.agencies[agencyBehind(ref, council)]?.name}`,
    })),
  ];
  const lines = [
    `### ${council.name} (${code(council.id)})`,
    '',
    `Deadlines, each reminded before it is due and escalated when missed (the figures are ${council.shortName}'s defaults; where they come from is in the last column):`,
    '',
    ...deadlinesTable(council),
    '',
    'Who is told what:',
    '',
    '| agency | told when | what it is asked to do | details about the child |',
    '| --- | --- | --- | --- |',
    ...recipients.flatMap(({ ref, who, details }) => {
      const rows = rowsFor(ref, council);
      if (rows.length === 0) {
        const never =
          ref === council.contacts.outOfHours
            ? 'never emailed; its number is in every email'
            : 'never emailed';
        return [`| ${cell(who)} | ${never} | | ${cell(details)} |`];
      }
      return rows.map(
        (row, i) =>
          `| ${i === 0 ? cell(who) : ''} | ${cell(row.when)} | ${cell(row.what)} | ${i === 0 ? cell(details) : ''} |`,
      );
    }),
  ];
  return lines.join('\n');
};

/** The categories of detail, for the README's legend. */
export const detailCategoryLegend = (): string =>
  [
    '| category | what it holds |',
    '| --- | --- |',
    ...detailCategories.map((c) => `| ${code(c)} | ${cell(detailCategoryDescriptions[c])} |`),
  ].join('\n');

/** Everything between the README's generated markers: the legend, then each council. */
export const councilTables = (councils: readonly CouncilConfig[]): string =>
  [
    '#### Categories of detail',
    '',
    detailCategoryLegend(),
    ...councils.flatMap((c) => ['', councilSummary(c)]),
  ].join('\n');

const begin = '<!-- generated: council tables (npm run council-tables) -->';
const end = '<!-- /generated: council tables -->';

/** The README with its council tables made afresh from the council files. */
export const withCouncilTables = (readme: string, councils: readonly CouncilConfig[]): string => {
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${begin} ... ${end} markers`);
  return `${readme.slice(0, from + begin.length)}\n${councilTables(councils)}\n${readme.slice(to)}`;
};
