import type { ChildDetailLevel, CouncilConfig, RecipientRef } from '../council/council-schema';
import type { EpisodeState } from '../episode/episode-state';

export interface Recipient {
  ref: RecipientRef;
  name: string;
  address: string;
  /** A placeholder inbox from the council file: never deliverable, shown so operators can see the gap. */
  placeholder: boolean;
  childDetails: ChildDetailLevel;
}

/** A council agency as a recipient, named by `ref` in records and logs. */
export const fromAgency = (ref: RecipientRef, agencyId: string, council: CouncilConfig): Recipient => {
  const agency = council.agencies[agencyId];
  if (!agency) throw new Error(`council ${council.id} has no agency ${agencyId}`);
  return {
    ref,
    name: agency.name,
    address: agency.inbox.address,
    placeholder: agency.inbox.placeholder,
    childDetails: agency.childDetails,
  };
};

/**
 * Resolves a recipient named in a council file: an agency, or the child's own school or social worker,
 * who fall back to the council's schools and social care inboxes when the report gives no address.
 */
export const resolveRecipient = (
  ref: RecipientRef,
  episode: EpisodeState,
  council: CouncilConfig,
): Recipient => {
  if (ref === 'school') {
    const school = episode.school;
    return school?.email
      ? { ref, name: school.name, address: school.email, placeholder: false, childDetails: 'identity' }
      : fromAgency(ref, council.roles.schools, council);
  }
  if (ref === 'social-worker') {
    return episode.socialWorker
      ? {
          ref,
          name: "The child's social worker",
          address: episode.socialWorker.email,
          placeholder: false,
          childDetails: 'full',
        }
      : fromAgency(ref, council.roles.socialCare, council);
  }
  return fromAgency(ref, ref, council);
};

const detailRank: Record<ChildDetailLevel, number> = { none: 0, identity: 1, full: 2 };

/** One email per inbox: recipients that resolve to the same address are merged, keeping the wider need. */
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
    if (detailRank[item.recipient.childDetails] > detailRank[existing.recipient.childDetails]) {
      existing.recipient = { ...existing.recipient, childDetails: item.recipient.childDetails };
    }
    merge(existing, item);
  }
  return [...byAddress.values()];
};
