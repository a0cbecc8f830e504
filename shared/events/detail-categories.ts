import * as z from 'zod/mini';
import type { RiskFactor } from './risk-factors';
import '../validation/english-messages';

/**
 * The categories of detail about a child that an email can carry, and what each holds. The council file
 * gives each agency the categories its part needs; an email carries nothing of a category its recipient
 * does not hold. What happened (the event and when), what the recipient must do, the episode reference and
 * the contacts are in every email.
 */
export const detailCategoryDescriptions = {
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
} as const;

export const detailCategories = Object.keys(detailCategoryDescriptions) as [
  keyof typeof detailCategoryDescriptions,
  ...(keyof typeof detailCategoryDescriptions)[],
];

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
