import { agencyBehind, type CouncilConfig, type RecipientRef, type Source } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';
import type { DetailCategory, DetailSet } from '../events/detail-categories';

export interface Recipient {
  ref: RecipientRef;
  name: string;
  address: string;
  /** A placeholder inbox from the council file: never deliverable, shown so operators can see the gap. */
  placeholder: boolean;
  /** The categories of detail about the child its emails may carry. */
  details: DetailSet;
  /** The council agency behind it (whose categories it holds): what its emails' links record in the name of. */
  agency: string;
}

const detailsOf = (agencyId: string, council: CouncilConfig): DetailSet =>
  new Set<DetailCategory>(council.agencies[agencyId]?.details ?? []);

/** A council agency as a recipient, named by `ref` in records and logs. */
export const fromAgency = (ref: RecipientRef, agencyId: string, council: CouncilConfig): Recipient => {
  const agency = council.agencies[agencyId];
  if (!agency) throw new Error(`council ${council.id} has no agency ${agencyId}`);
  return {
    ref,
    name: agency.name,
    address: agency.inbox.address,
    placeholder: agency.inbox.placeholder,
    details: detailsOf(agencyId, council),
    agency: agencyId,
  };
};

/** A recipient the report names itself, with the categories of detail of the agency that stands in for it. */
const named = (ref: RecipientRef, name: string, address: string, council: CouncilConfig): Recipient => {
  const agency = agencyBehind(ref, council);
  return { ref, name, address, placeholder: false, details: detailsOf(agency, council), agency };
};

/**
 * Resolves a recipient named in a council file: an agency; the child's own school, social worker or placing
 * authority, who fall back to the council's schools and social care inboxes when the report gives no
 * address; for an event, the agency whose source recorded it and that agency's own safeguarding lead; and
 * the referrer, the agency whose source recorded the immediate risk of significant harm in question.
 */
export const resolveRecipient = (
  ref: RecipientRef,
  episode: EpisodeState,
  council: CouncilConfig,
  source?: Source,
  referrer?: Source,
): Recipient => {
  const { roles } = council;
  switch (ref) {
    case 'school':
      return episode.school?.email
        ? named(ref, episode.school.name, episode.school.email, council)
        : fromAgency(ref, roles.schools, council);
    case 'social-worker':
      return episode.socialWorker
        ? named(ref, "The child's social worker", episode.socialWorker.email, council)
        : fromAgency(ref, roles.socialCare, council);
    case 'placing-authority':
      // No placing authority named: the child is looked after by this council.
      return episode.placingAuthority
        ? named(ref, episode.placingAuthority.name, episode.placingAuthority.email, council)
        : fromAgency(ref, roles.socialCare, council);
    case 'recording-agency':
      if (!source) throw new Error('only an event has a recording agency');
      return { ...resolveRecipient(source.agency, episode, council), ref };
    case 'referrer':
      if (!referrer) throw new Error('only an immediate-harm referral has a referrer');
      return { ...resolveRecipient(referrer.agency, episode, council), ref };
    case 'recording-safeguarding-lead': {
      if (!source) throw new Error('only an event has a recording agency');
      const agency = resolveRecipient(source.agency, episode, council);
      if (source.safeguardingLead) {
        return {
          ref,
          name: `${agency.name} safeguarding lead`,
          address: source.safeguardingLead.address,
          placeholder: source.safeguardingLead.placeholder,
          details: agency.details,
          agency: agency.agency,
        };
      }
      // A school's designated safeguarding inbox is the school's own; else the council's safeguarding lead.
      return source.agency === 'school'
        ? { ...agency, ref }
        : fromAgency(ref, roles.safeguardingLead, council);
    }
    default:
      return fromAgency(ref, ref, council);
  }
};

/** One email per inbox: recipients that resolve to the same address are merged, with every detail either may hold. */
export const mergeByAddress = <T extends { recipient: Recipient }>(
  items: T[],
  merge: (into: T, from: T) => void,
): T[] => {
  const byAddress = new Map<string, T>();
  for (const item of items) {
    const key = item.recipient.address.toLowerCase();
    const existing = byAddress.get(key);
    if (!existing) {
      byAddress.set(key, item);
      continue;
    }
    existing.recipient = {
      ...existing.recipient,
      details: new Set([...existing.recipient.details, ...item.recipient.details]),
    };
    merge(existing, item);
  }
  return [...byAddress.values()];
};
