import * as z from 'zod/mini';
import type { RiskFactor } from './risk-factors';
import '../validation/english-messages';

/**
 * The categories of detail about a child that an email can carry (what each holds: council-summary.ts, and
 * the README). The council file gives each agency the categories its part needs; an email carries nothing of
 * a category its recipient does not hold. What happened (the event and when), what the recipient must do,
 * the episode reference and the contacts are in every email.
 */
export const detailCategories = [
  'identity',
  'identifiers',
  'whereabouts',
  'risk',
  'care',
  'concerns',
  'education',
  'relationships',
  'crime',
  'exploitation',
  'sexual_exploitation',
  'fgm_or_forced_marriage',
  'pregnancy',
  'abuse',
  'health',
  'free_text',
] as const;

export const DetailCategory = z.enum(detailCategories);
export type DetailCategory = z.infer<typeof DetailCategory>;

/** The details that never go to a school or Early Help: the special categories, and free text that may hold them. */
export const specialCategories: readonly DetailCategory[] = [
  'sexual_exploitation',
  'fgm_or_forced_marriage',
  'pregnancy',
  'abuse',
  'health',
  'free_text',
];

/**
 * Which categories knowing a risk factor reveals. A factor that speaks of two things (substance misuse or
 * crime) needs both, so it reaches only an agency that holds both.
 */
export const riskFactorCategories: Record<RiskFactor, readonly DetailCategory[]> = {
  not_accepted_or_safe: ['relationships'],
  family_breakdown: ['relationships'],
  domestic_abuse: ['abuse'],
  poor_family_relationships: ['relationships'],
  abuse_or_neglect: ['abuse'],
  boundary_issues: ['relationships'],
  bullying: ['education'],
  pregnancy_or_fear_of_pregnancy: ['pregnancy'],
  forced_marriage_or_fgm: ['fgm_or_forced_marriage'],
  staying_out_with_peers_or_partners: ['relationships'],
  running_to_someone: ['relationships'],
  running_to_friends_or_family_from_care: ['relationships', 'care'],
  freedom_and_independence: ['relationships'],
  substance_misuse_or_crime: ['crime', 'health'],
  grooming_or_coercion: ['exploitation'],
  fear_of_repercussion: ['exploitation'],
  sexual_exploitation: ['sexual_exploitation'],
  criminal_exploitation: ['exploitation', 'crime'],
  involvement_in_crime: ['crime'],
  victim_of_crime: ['crime'],
  alcohol_or_substance_misuse: ['health'],
  physical_or_mental_health: ['health'],
  missing_education: ['education'],
  trafficking: ['exploitation'],
};

/** What a recipient may be told: the categories it holds. */
export type DetailSet = ReadonlySet<DetailCategory>;

export const holdsAll = (held: DetailSet, needed: Iterable<DetailCategory>): boolean =>
  [...needed].every((category) => held.has(category));

/** Whether a recipient holding these categories may be told of a risk factor. */
export const mayKnowFactor = (held: DetailSet, factor: RiskFactor): boolean =>
  holdsAll(held, riskFactorCategories[factor]);
