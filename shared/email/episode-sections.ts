import type { ChildDetailLevel, CouncilConfig, DeadlineKind } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { RiskGrade } from '../events/risk-factors';
import { exploitationFactors } from '../events/risk-factors';
import type { Recipient } from '../routing/recipients';
import { formatLocal, formatRelative } from '../time/instant';
import type { EmailLine, EmailSection } from './email-document';

export const deadlineLabel: Record<DeadlineKind, string> = {
  prevention_interview: 'Prevention Interview',
  return_home_interview: 'Return Home Interview',
};

export const riskGradeLabel: Record<RiskGrade, string> = {
  very_low: 'very low',
  low: 'low',
  medium: 'medium',
  high: 'high',
};

const words = (code: string) => code.replaceAll('_', ' ');

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

/** Risk grade and the flags that change what a duty worker does: shown to every recipient (no personal data). */
export const riskSection = (episode: EpisodeState): EmailSection => {
  const exploitation = episode.riskFactors.filter((f) => exploitationFactors.includes(f));
  const flags = [
    episode.repeatMissing
      ? `Repeat missing: ${episode.previousEpisodesInWindow} earlier episodes in the council's window`
      : undefined,
    episode.child.lookedAfter ? 'Looked after by the local authority' : undefined,
    exploitation.length > 0 ? `Exploitation risk: ${exploitation.map(words).join(', ')}` : undefined,
    episode.harmSuspected ? 'Harm suspected on return' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
  const otherFactors = episode.riskFactors.filter((f) => !exploitationFactors.includes(f));
  return {
    title: 'Risk',
    lines: [
      `Police risk grade: ${episode.riskGrade ? riskGradeLabel[episode.riskGrade] : 'not yet assessed'}`,
      ...flags,
      ...(otherFactors.length > 0 ? [`Other risk factors: ${otherFactors.map(words).join(', ')}`] : []),
    ],
  };
};

/**
 * The child, as far as this recipient needs: `full` is everything an agency acting on the episode uses,
 * `identity` the name and date of birth, `none` only the episode reference.
 */
export const childSection = (
  episode: EpisodeState,
  level: ChildDetailLevel,
  council: CouncilConfig,
): EmailSection => {
  const { child } = episode;
  if (level === 'none') {
    return {
      title: 'The child',
      lines: [
        `Episode reference ${episode.episodeRef}. The child's details are with the agency responsible and children's social care.`,
      ],
    };
  }
  const identity = [`Name: ${child.givenName} ${child.familyName}`, `Date of birth: ${child.dateOfBirth}`];
  if (level === 'identity') return { title: 'The child', lines: identity };
  const ids = child.identifiers;
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  const optional = (label: string, value: string | undefined) => (value ? [`${label}: ${value}`] : []);
  return {
    title: 'The child',
    lines: [
      ...identity,
      ...optional('NHS number', ids?.nhsNumber),
      ...optional('Unique Pupil Number', ids?.upn),
      ...optional('Local id', ids?.localId),
      ...optional('School', episode.school?.name),
      `Last seen: ${local(episode.lastSeenAt)}${episode.lastSeenPlace ? `, ${episode.lastSeenPlace}` : ''}`,
      ...optional('Circumstances', episode.circumstances),
      ...(episode.foundAt
        ? [`Found: ${local(episode.foundAt)}${episode.foundPlace ? `, ${episode.foundPlace}` : ''}`]
        : []),
      ...optional('Returned to', episode.returnedTo),
    ],
  };
};

/** Who to call: the Duty and Assessment Team's numbers, the request-for-service form, advice, the protocol. */
export const contactsSection = (council: CouncilConfig): EmailSection => {
  const duty = council.agencies[council.roles.dutyAndAssessment];
  const lines: EmailLine[] = [];
  if (duty && duty.phones.length > 0) lines.push(`${duty.name}: ${duty.phones.join(' or ')}`);
  if (council.contacts.requestForServiceUrl) {
    lines.push({ text: 'Request for Service form', href: council.contacts.requestForServiceUrl });
  }
  if (council.contacts.adviceEmail) lines.push(`Support and advice: ${council.contacts.adviceEmail}`);
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
