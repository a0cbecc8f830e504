import * as z from 'zod/mini';
import '../validation/english-messages';

/**
 * Risk factors, enumerated from the push, pull and immediate-risk lists of both council guides.
 * The police or the RHI worker records which apply; each council file's rules say who acts on each.
 */
export const pushFactors = [
  'not_accepted_or_safe',
  'family_breakdown',
  'domestic_abuse',
  'poor_family_relationships',
  'abuse_or_neglect',
  'boundary_issues',
  'bullying',
  'pregnancy_or_fear_of_pregnancy',
  'forced_marriage_or_fgm',
] as const;

export const pullFactors = [
  'staying_out_with_peers_or_partners',
  'running_to_someone',
  'running_to_friends_or_family_from_care',
  'freedom_and_independence',
  'substance_misuse_or_crime',
  'grooming_or_coercion',
  'fear_of_repercussion',
] as const;

export const immediateRisks = [
  'sexual_exploitation',
  'criminal_exploitation',
  'involvement_in_crime',
  'victim_of_crime',
  'alcohol_or_substance_misuse',
  'physical_or_mental_health',
  'missing_education',
  'trafficking',
] as const;

export const RiskFactor = z.enum([...pushFactors, ...pullFactors, ...immediateRisks]);
export type RiskFactor = z.infer<typeof RiskFactor>;

/** The factors an email lists apart, as exploitation risk (routing reads the council file's rules, not this). */
export const exploitationFactors: readonly RiskFactor[] = [
  'sexual_exploitation',
  'criminal_exploitation',
  'grooming_or_coercion',
  'trafficking',
];

/** Police risk grades; an event's legacy "absent" grade reads as very low (RiskGradeInput). */
export const RiskGrade = z.enum(['very_low', 'low', 'medium', 'high']);
export type RiskGrade = z.infer<typeof RiskGrade>;
