import * as z from 'zod/mini';
import '../validation/english-messages';

/**
 * What a strategy discussion decided (Working Together to Safeguard Children): a section 47 enquiry, to
 * proceed under a child protection plan, or no further action under child protection procedures. Apart
 * from the event schemas, as the council file's routing conditions name it too.
 */
export const StrategyOutcome = z.enum(['section_47_enquiry', 'child_protection_plan', 'no_further_action']);
export type StrategyOutcome = z.infer<typeof StrategyOutcome>;
