import { type CouncilConfig, deadlinePolicy } from '../council/council-schema';
import { domainError } from '../domain-error';
import type { EpisodeState } from '../episode/episode-state';
import type { EventType } from '../events/event-types';
import { parseEvent } from '../events/parse-event';
import { acceptEvent, type CommitPorts } from '../intake/accept-delivery';
import type { EpisodeRecord, LinkKeySource } from '../ports';
import { formatLocal } from '../time/instant';
import type { ActionView, FormView, StepContext } from './action-page';
import { capitalised, eventsMayRecord, isWanted, owedDeadline, stepInSentence } from './action-steps';
import { type ActionGrant, linkEventId, verifyToken } from './action-token';
import { type FormIssue, formFieldOf, readForm, stepForms } from './step-forms';
import { emailSourceId, type StepKind, stepEvents } from './step-kinds';

/** What a link's page needs: the store and the commit path intake uses, and the keys links are signed with. */
export interface ActionPorts extends CommitPorts {
  keys: LinkKeySource;
}

/** A link that checked out: what it grants and which of the step's events its agency may record. */
interface OpenLink {
  token: string;
  grant: ActionGrant;
  events: EventType[];
  record: EpisodeRecord;
  context: StepContext;
}

/**
 * Why a step is no longer wanted, in a sentence for the page, or undefined while it is: the episode
 * withdrawn or closed, its deadline met or ended (the child found, for a step owed while they were missing),
 * or, for a risk re-assessment, the child no longer missing.
 */
export const whyNotWanted = (
  step: StepKind,
  episode: EpisodeState,
  council: CouncilConfig,
): string | undefined => {
  if (isWanted(step, episode)) return undefined;
  const local = (instant: string) => formatLocal(instant, council.timeZone);
  if (episode.status === 'withdrawn')
    return 'The report of this episode was withdrawn: nothing needs recording.';
  if (step === 'risk_assessment') {
    return 'The child is no longer recorded as missing: a risk re-assessment is not asked for any more.';
  }
  const latest = episode.deadlines.filter((d) => d.kind === step).at(-1);
  const what = capitalised(stepInSentence(step));
  if (latest?.metAt) return `${what} is already recorded, on ${local(latest.metAt)}.`;
  if (latest?.cancelledAt && episode.foundAt && latest.cancelledAt === episode.foundAt) {
    return `${what} is no longer asked for: the child was found on ${local(episode.foundAt)}.`;
  }
  if (episode.status === 'closed') return 'This episode is closed: nothing more needs recording.';
  return `${what} is not asked for any more.`;
};

const contextOf = (ports: ActionPorts, grant: ActionGrant, state: EpisodeState): StepContext => {
  const { council } = ports;
  const deadline = owedDeadline(grant.step, state);
  return {
    councilName: council.name,
    councilShortName: council.shortName,
    timeZone: council.timeZone,
    now: ports.clock.now(),
    step: grant.step,
    episodeRef: state.episodeRef,
    agencyName: council.agencies[grant.agencyId]?.name ?? grant.agencyId,
    linkExpiresAt: grant.expiresAt,
    ...(deadline
      ? {
          deadline: {
            dueAt: deadline.dueAt,
            asSoonAsPossible: deadlinePolicy(council, deadline.kind).asSoonAsPossible,
          },
        }
      : {}),
  };
};

/**
 * A link's token checked end to end: signed by a key of ours and not expired, for an agency the council
 * file still lets record that step from its emails, about an episode the store still holds. Anything else
 * is a page saying so, and nothing more is read.
 */
const openLink = async (ports: ActionPorts, token: string | null): Promise<OpenLink | ActionView> => {
  if (!token) return { kind: 'invalid' };
  const checked = verifyToken(token, await ports.keys.keys(), ports.clock.now());
  if (!checked.ok) return { kind: checked.problem === 'expired' ? 'expired' : 'invalid' };
  const { grant } = checked;
  const events = eventsMayRecord(ports.council, grant.agencyId, grant.step);
  if (events.length === 0 || !ports.council.agencies[grant.agencyId]) return { kind: 'invalid' };
  const record = await ports.store.getEpisode(grant.episodeId);
  if (!record) return { kind: 'invalid' };
  return { token, grant, events, record, context: contextOf(ports, grant, record.state) };
};

/** When this link's step was recorded through it, if it was: its submissions share one event id. */
const recordedThrough = (link: OpenLink): string | undefined =>
  link.record.events.find(
    (e) =>
      e.sourceId === emailSourceId(link.grant.agencyId) &&
      e.event.id === linkEventId(link.token, link.grant.step),
  )?.receivedAt;

/** Why the link has nothing left to record, as a page: recorded through it already, or no longer wanted. */
const settled = (ports: ActionPorts, link: OpenLink, state: EpisodeState): ActionView | undefined => {
  const recordedAt = recordedThrough(link);
  if (recordedAt) return { kind: 'duplicate', context: link.context, recordedAt };
  const why = whyNotWanted(link.grant.step, state, ports.council);
  return why ? { kind: 'superseded', context: link.context, why } : undefined;
};

const formPage = (link: OpenLink, postTo: string, forms: FormView[]): ActionView => ({
  kind: 'form',
  context: link.context,
  token: link.token,
  postTo,
  forms,
});

const blankForms = (link: OpenLink): FormView[] =>
  link.events.flatMap((type) => {
    const form = stepForms[type];
    return form ? [{ type, form }] : [];
  });

/** GET: the step's page, with its form(s), or why there is nothing to do. Reads the episode, stores nothing. */
export const showStep = async (
  ports: ActionPorts,
  token: string | null,
  postTo: string,
): Promise<ActionView> => {
  const link = await openLink(ports, token);
  if (!('grant' in link)) return link;
  return settled(ports, link, link.record.state) ?? formPage(link, postTo, blankForms(link));
};

/**
 * POST: records the step from a submitted form, as source `email:<agency>`, through the same admission and
 * commit as a webhook; the commit's outbox routes it like any event, the receipt to the agency's inbox
 * among its emails. The form's own checks and the event schema's come first, then the duplicate check (a
 * second submission through the link), then whether the step is still wanted, then the domain rules (an
 * RHI before the return): any of those refuses with the form and its problems, or a page, and stores nothing.
 */
export const recordStep = async (
  ports: ActionPorts,
  submitted: URLSearchParams,
  postTo: string,
): Promise<ActionView> => {
  const link = await openLink(ports, submitted.get('token'));
  if (!('grant' in link)) return link;
  const already = settled(ports, link, link.record.state);
  if (already) return already;
  const type = link.events.find((t) => t === submitted.get('type'));
  const form = type && stepForms[type];
  if (!type || !form) return { kind: 'refused', why: 'The form sent is not one this link records.' };
  const withIssues = (issues: FormIssue[]) =>
    formPage(
      link,
      postTo,
      blankForms(link).map((view) => (view.type === type ? { ...view, issues, values: submitted } : view)),
    );

  const { council } = ports;
  const read = readForm(form, submitted, council.timeZone);
  if (!read.ok) return withIssues(read.issues);
  const { grant } = link;
  const now = ports.clock.now();
  const parsed = parseEvent({
    specversion: '1.0',
    id: linkEventId(link.token, grant.step),
    source: `/councils/${council.id}/email-links/${grant.agencyId}`,
    type,
    time: now,
    data: { episodeRef: link.record.state.episodeRef, ...stepEvents[grant.step].fixed, ...read.data },
  });
  const fieldIssues = (issues: { field: string; message: string }[]) =>
    issues.map((issue) => {
      const field = formFieldOf(form, issue.field);
      return field ? { field, message: issue.message } : { message: issue.message };
    });
  if (!parsed.ok) return withIssues(fieldIssues(parsed.issues));

  let superseded: string | undefined;
  const outcome = await acceptEvent(ports, {
    sourceId: emailSourceId(grant.agencyId),
    event: parsed.value,
    recordedVia: { emailLink: { agencyId: grant.agencyId, step: grant.step, expiresAt: grant.expiresAt } },
    // Read again in the commit's own attempt: a step recorded meanwhile (by webhook) is not recorded twice.
    guard: (episode) => {
      superseded =
        episode?.episodeId === grant.episodeId
          ? whyNotWanted(grant.step, episode.state, council)
          : 'The episode this link is for no longer has this reference.';
      return superseded ? domainError('conflict', superseded) : undefined;
    },
  });
  if (!outcome.ok) {
    if (superseded) return { kind: 'superseded', context: link.context, why: superseded };
    return withIssues(fieldIssues(outcome.error.issues ?? [{ field: '', message: outcome.error.detail }]));
  }
  if (outcome.accepted.duplicate) return { kind: 'duplicate', context: link.context, recordedAt: now };
  const instant = form.fields.find((f) => f.kind === 'instant')?.name;
  const agency = council.agencies[grant.agencyId];
  return {
    kind: 'recorded',
    context: link.context,
    what: `${form.heading}${instant ? ` on ${formatLocal(read.data[instant] as string, council.timeZone)}` : ''}.`,
    receiptTo: agency ? `${agency.name} (${agency.inbox.address})` : grant.agencyId,
  };
};
