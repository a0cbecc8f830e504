import { deadlineLabel } from '../email/episode-sections';
import { type DetailCategory, detailCategories } from '../events/detail-categories';
import {
  agencyBehind,
  type CouncilConfig,
  DeadlineKind,
  type RecipientRef,
  type RoutingCondition,
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
  'recording-agency': () => "The agency whose system sent the event (its source's `agency`)",
  'recording-safeguarding-lead': (c) =>
    `That agency's own safeguarding lead (its source's \`safeguardingLead\`; a school's own inbox; else ${c.agencies[c.roles.safeguardingLead]?.name})`,
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
        what: n.by ? `${n.action} (${deadlineLabel[n.by]} deadline)` : n.action,
      })),
  ),
  ...DeadlineKind.options.flatMap((kind) => {
    const policy = council.deadlines[kind];
    const label = deadlineLabel[kind];
    const due = `${policy.hours} h after the return${kind === 'return_home_interview' ? ' home' : ''}`;
    const responsible = council.agencies[policy.responsible]?.name ?? policy.responsible;
    return [
      ...(policy.responsible === ref
        ? policy.remindBeforeHours.map((h) => ({
            when: `${h} h before the ${label} is due (${due})`,
            what: `Reminder: ${policy.action}`,
          }))
        : []),
      ...(policy.responsible === ref || policy.escalateTo.includes(ref)
        ? [
            {
              when: `${policy.escalateAfterHours === 0 ? 'When' : `${policy.escalateAfterHours} h after`} the ${label} is overdue`,
              what:
                policy.responsible === ref
                  ? `Escalation: ${policy.action}`
                  : `Escalation: make sure ${responsible} does it.`,
            },
          ]
        : []),
    ];
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
      details: ref.startsWith('recording')
        ? "its agency's"
        : `as ${council.agencies[agencyBehind(ref, council)]?.name}`,
    })),
  ];
  const lines = [
    `### ${council.name} (${code(council.id)})`,
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
