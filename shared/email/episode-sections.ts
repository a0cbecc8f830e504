import { type CouncilConfig, type DeadlineKind, deadlinePolicy } from '../council/council-schema';
import { deadlineKinds, deadlineLabel } from '../deadlines/deadline-kinds';
import { openDeadlines } from '../deadlines/open-deadlines';
import type { EpisodeState } from '../episode/episode-state';
import { type DetailSet, holdsAll, mayKnowFactor } from '../events/detail-categories';
import type { PipelineEvent, RecordedByDetails } from '../events/event-schemas';
import type { RiskGrade } from '../events/risk-factors';
import { exploitationFactors, type RiskFactor } from '../events/risk-factors';
import type { EpisodeProvenance } from '../routing/provenance';
import { type Recipient, resolveRecipient } from '../routing/recipients';
import { formatLocal, formatRelative } from '../time/instant';
import type { EmailBanner, EmailLine, EmailSection } from './email-document';

export const riskGradeLabel: Record<RiskGrade, string> = {
  very_low: 'very low',
  low: 'low',
  medium: 'medium',
  high: 'high',
};

export const factorWords = (factor: RiskFactor) => factor.replaceAll('_', ' ');

/** The risk factors a recipient may be told of, in words. */
export const factorsFor = (factors: readonly RiskFactor[], held: DetailSet): string[] =>
  factors.filter((factor) => mayKnowFactor(held, factor)).map(factorWords);

/** "[LBTH] Child returned: ... (ref MPS-2026-0001)": the council, what happened and the reference, never the child. */
export const emailSubject = (council: CouncilConfig, what: string, episodeRef: string): string =>
  `[${council.shortName}] ${what} (ref ${episodeRef})`;

/**
 * "Tue 27 Oct 2026, 08:30 GMT (in 2 days 23 hours)": the local time a duty worker reads, and how far off
 * ("just now" within the minute: an escalation fires the moment its deadline passes).
 */
export const whenLocal = (instant: string, now: string, council: CouncilConfig): string =>
  `${formatLocal(instant, council.timeZone)} (${
    Math.abs(Date.parse(instant) - Date.parse(now)) < 60_000 ? 'just now' : formatRelative(instant, now)
  })`;

/** The open deadline of a kind, if the episode has one (the latest, should a return have been re-recorded). */
export const deadlineOf = (episode: EpisodeState, kind: DeadlineKind) =>
  episode.deadlines.filter((d) => d.kind === kind && !d.cancelled).at(-1);

/**
 * When a deadline's work is asked for, in the guides' words: the Prevention Interview "as soon as possible",
 * the council file's hours being the latest; the Return Home Interview by its due time.
 */
export const dueSentence = (kind: DeadlineKind, when: string, council: CouncilConfig): string =>
  deadlinePolicy(council, kind).asSoonAsPossible
    ? `As soon as possible, and by ${when} at the latest.`
    : `By ${when}.`;

/**
 * The banner at the top of an email that asks for a deadline's step: what is due, by when, and the time
 * left, or how long ago it fell due.
 */
export const deadlineBanner = (
  kind: DeadlineKind,
  dueAt: string,
  now: string,
  council: CouncilConfig,
): EmailBanner => {
  const local = formatLocal(dueAt, council.timeZone);
  const label = deadlineLabel(kind);
  if (Date.parse(dueAt) <= Date.parse(now)) {
    return { text: `OVERDUE: ${label} was due ${local}, ${formatRelative(dueAt, now)}`, overdue: true };
  }
  const left = `${formatRelative(dueAt, now).replace(/^in /, '')} left`;
  return {
    text: deadlinePolicy(council, kind).asSoonAsPossible
      ? `DUE: ${label} as soon as possible, by ${local} at the latest (${left})`
      : `DUE: ${label} by ${local} (${left})`,
    overdue: false,
  };
};

/** The same, for a subject line. */
export const dueHeadline = (kind: DeadlineKind, dueAt: string, council: CouncilConfig): string => {
  const local = formatLocal(dueAt, council.timeZone);
  return deadlinePolicy(council, kind).asSoonAsPossible
    ? `${deadlineLabel(kind)} as soon as possible, latest ${local}`
    : `${deadlineLabel(kind)} due ${local}`;
};

/**
 * Everything the episode still owes, soonest first, in local time with the time left, and who owes it: so a
 * recipient sees all that is due on the child, not only what the email is about. A deadline whose existence
 * would tell the recipient a detail it does not hold (an acknowledgement owed says immediate harm was
 * recorded) is left out.
 */
export const openDeadlinesSection = (
  episode: EpisodeState,
  held: DetailSet,
  council: CouncilConfig,
  now: string,
): EmailSection => ({
  title: 'Open deadlines on this child',
  lines: openDeadlines(episode, council, now)
    .filter((d) => holdsAll(held, deadlineKinds[d.kind].reveals))
    .map(
      (d) =>
        `${d.label} (${d.responsible.name}): ${d.state === 'overdue' ? 'OVERDUE, was due' : d.asSoonAsPossible ? 'as soon as possible, latest' : 'due'} ${whenLocal(d.dueAt, now, council)}`,
    ),
});

/** What every email says of a report that did not come from the police's own system: it is not a report to them. */
export const notAPoliceReport = 'A webhook is not a report to the police.';
export const phoneThePolice =
  'If the police have not been told, phone 999 if the child is in immediate danger, otherwise 101.';

/** The episode's report came in through a system other than the police's, and no police system has confirmed it. */
export const provenanceLines = (provenance: EpisodeProvenance, council: CouncilConfig): string[] =>
  provenance.policeHaveReport
    ? []
    : [
        `This child was reported through ${council.sources[provenance.reportSourceId]?.name ?? provenance.reportSourceId}, not by the police. ${notAPoliceReport} ${phoneThePolice}`,
      ];

/** Who recorded the event and how to reach them: the source's agency, and the worker when the event names one. */
export const recordedByLine = (
  event: PipelineEvent,
  sourceId: string,
  episode: EpisodeState,
  council: CouncilConfig,
  held: DetailSet,
): string[] => {
  const source = council.sources[sourceId];
  if (!source) return [];
  // A school's name says which school the child attends: only to those who hold whereabouts.
  if (source.agency === 'school' && !held.has('whereabouts')) return ["Recorded by the child's school."];
  const agency = resolveRecipient(source.agency, episode, council);
  const data = event.data as { recordedBy?: RecordedByDetails; acknowledgedBy?: RecordedByDetails };
  const worker = data.recordedBy ?? data.acknowledgedBy;
  const reach = [
    worker?.phone,
    worker?.email,
    agency.address,
    ...(council.agencies[source.agency]?.phones ?? []),
  ].filter((part): part is string => part !== undefined);
  return [
    `Recorded by ${worker ? `${worker.name}, ` : ''}${agency.name}. Reach them on ${reach.join(', ')}.`,
  ];
};

/** "3rd", "11th", "22nd". */
export const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10];
  return `${n}${suffix ?? 'th'}`;
};

/** The picture of risk, as far as this recipient may see it: grade and history, factors by category, harm. */
export const riskSection = (episode: EpisodeState, held: DetailSet, council: CouncilConfig): EmailSection => {
  const exploitation = factorsFor(
    episode.riskFactors.filter((f) => exploitationFactors.includes(f)),
    held,
  );
  const others = factorsFor(
    episode.riskFactors.filter((f) => !exploitationFactors.includes(f)),
    held,
  );
  const lines = [
    ...(held.has('risk')
      ? [
          `Police risk grade: ${episode.riskGrade ? riskGradeLabel[episode.riskGrade] : 'not yet assessed'}`,
          ...(episode.repeatMissing
            ? [
                `Repeat missing: the ${ordinal(episode.episodesInWindow)} episode within ${council.repeatMissing.withinDays} days`,
              ]
            : []),
        ]
      : []),
    ...(exploitation.length > 0 ? [`Exploitation risk: ${exploitation.join(', ')}`] : []),
    ...(others.length > 0 ? [`Other risk factors: ${others.join(', ')}`] : []),
    ...(held.has('concerns') && episode.harmSuspected ? ['Harm suspected on return'] : []),
  ];
  return { title: 'Risk', lines };
};

/** The child, as far as this recipient may see them: identity, identifiers, whereabouts, the sender's own words. */
export const childSection = (
  episode: EpisodeState,
  held: DetailSet,
  council: CouncilConfig,
): EmailSection => {
  const { child } = episode;
  const ids = child.identifiers;
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  const optional = (label: string, value: string | undefined) => (value ? [`${label}: ${value}`] : []);
  const where = held.has('whereabouts');
  const lines = [
    ...(held.has('identity')
      ? [`Name: ${child.givenName} ${child.familyName}`, `Date of birth: ${child.dateOfBirth}`]
      : [
          `Episode reference ${episode.episodeRef}. The child's details are with the agency responsible and children's social care.`,
        ]),
    ...(held.has('identifiers')
      ? [
          ...optional('NHS number', ids?.nhsNumber),
          ...optional('Unique Pupil Number', ids?.upn),
          ...optional('Local id', ids?.localId),
        ]
      : []),
    ...(where ? optional('School', episode.school?.name) : []),
    `Last seen: ${local(episode.lastSeenAt)}${where && episode.lastSeenPlace ? `, ${episode.lastSeenPlace}` : ''}`,
    ...(held.has('free_text') ? optional('Circumstances', episode.circumstances) : []),
    ...(episode.foundAt
      ? [`Found: ${local(episode.foundAt)}${where && episode.foundPlace ? `, ${episode.foundPlace}` : ''}`]
      : []),
    ...(episode.returnedHomeAt ? [`Got home: ${local(episode.returnedHomeAt)}`] : []),
    ...(where ? optional('Returned to', episode.returnedTo) : []),
  ];
  return { title: 'The child', lines };
};

/** A looked-after child's care: who placed them and their social worker, for a recipient that holds care details. */
export const careSection = (episode: EpisodeState, held: DetailSet, council: CouncilConfig): EmailSection => {
  const placing = episode.placingAuthority;
  return {
    title: 'Care',
    lines: held.has('care')
      ? [
          ...(episode.child.lookedAfter
            ? [
                `${episode.kind === 'missing' ? 'Missing from care' : 'Away from placement without authorisation'}: looked after by ${
                  placing ? `${placing.name} (${placing.email})` : council.name
                }`,
              ]
            : []),
          ...(episode.socialWorker ? [`Social worker: ${episode.socialWorker.email}`] : []),
        ]
      : [],
  };
};

/** Who to call, each under its own name: Duty and Assessment, out of hours, the guide's advice line and form, the protocol. */
export const contactsSection = (council: CouncilConfig): EmailSection => {
  const lines: EmailLine[] = [];
  const agency = (id: string | undefined) => (id ? council.agencies[id] : undefined);
  const duty = agency(council.roles.dutyAndAssessment);
  if (duty && duty.phones.length > 0) lines.push(`${duty.name}: ${duty.phones.join(' or ')}`);
  const outOfHours = agency(council.contacts.outOfHours);
  if (outOfHours) lines.push(`Out of hours, ${outOfHours.name}: ${outOfHours.phones.join(' or ')}`);
  if (council.contacts.requestForServiceUrl) {
    lines.push({ text: 'Request for Service forms', href: council.contacts.requestForServiceUrl });
  }
  const advice = agency(council.contacts.advice);
  if (advice)
    lines.push(`For further information, support or advice, ${advice.name}: ${advice.inbox.address}`);
  lines.push(
    council.protocol.url
      ? { text: `Protocol: ${council.protocol.name}`, href: council.protocol.url }
      : `Protocol: ${council.protocol.name}`,
  );
  return { title: 'Contacts', lines };
};

export const emailFooter = (council: CouncilConfig, recipient: Recipient, episodeRef: string): string =>
  `Sent by the ${council.name} missing children pipeline to ${recipient.name} about episode ${episodeRef}. ` +
  'It holds only what your agency needs: do not forward it outside your agency.';
