import * as z from 'zod';
import { EventType } from '../events/event-schemas';
import { RiskGrade } from '../events/risk-factors';

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by -');

/**
 * An inbox. Where a guide gives no address, the council file carries a placeholder on the reserved
 * `.invalid` domain, marked as such, so nothing is ever delivered there and a production build refuses it.
 */
export const Inbox = z
  .strictObject({
    address: z.email(),
    placeholder: z.boolean().default(false),
  })
  .refine((inbox) => inbox.placeholder === inbox.address.endsWith('.invalid'), {
    message: 'a placeholder inbox must be on the .invalid domain, and only a placeholder may be',
    path: ['placeholder'],
  });
export type Inbox = z.infer<typeof Inbox>;

/** How much about the child an agency's emails carry: only what it needs to act. */
export const ChildDetailLevel = z.enum(['full', 'identity', 'none']);
export type ChildDetailLevel = z.infer<typeof ChildDetailLevel>;

export const Agency = z.strictObject({
  name: z.string().min(1),
  inbox: Inbox,
  childDetails: ChildDetailLevel,
  phones: z.array(z.string().regex(/^[0-9 +]+$/, 'digits and spaces')).default([]),
});
export type Agency = z.infer<typeof Agency>;

/** Recipients that come from the episode itself, each with the council agency used when the report names none. */
export const episodeRecipients = ['school', 'social-worker'] as const;
export const RecipientRef = z.union([z.enum(episodeRecipients), slug]);
export type RecipientRef = z.infer<typeof RecipientRef>;

export const DeadlineKind = z.enum(['prevention_interview', 'return_home_interview']);
export type DeadlineKind = z.infer<typeof DeadlineKind>;

export const RoutingCondition = z.strictObject({
  kind: z.enum(['missing', 'absence']).optional(),
  riskGrade: z.array(RiskGrade).min(1).optional(),
  exploitationRisk: z.boolean().optional(),
  repeatMissing: z.boolean().optional(),
  lookedAfter: z.boolean().optional(),
  riskOfHarm: z.boolean().optional(),
  immediateSignificantHarm: z.boolean().optional(),
  exploitationConcern: z.boolean().optional(),
  /** The police found indications of harm on return: child protection procedures apply. */
  harmSuspected: z.boolean().optional(),
});
export type RoutingCondition = z.infer<typeof RoutingCondition>;

export const RoutingRule = z.strictObject({
  id: slug,
  /** Why this rule exists, in the guide's words. */
  why: z.string().min(1),
  on: z.array(EventType).min(1),
  when: RoutingCondition.default({}),
  notify: z
    .array(
      z.strictObject({
        to: RecipientRef,
        /** What this recipient must do, as the email says it. */
        action: z.string().min(1),
        /** The deadline the action is due by, when there is one. */
        by: DeadlineKind.optional(),
      }),
    )
    .min(1),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const DeadlinePolicy = z.strictObject({
  /** Elapsed hours from the return to the due instant. */
  hours: z.number().int().positive(),
  responsible: RecipientRef,
  action: z.string().min(1),
  /** Reminders to the responsible agency, this many hours before due. */
  remindBeforeHours: z.array(z.number().int().positive()).default([]),
  /** The escalation fires this many hours after due, to these recipients as well as the responsible agency. */
  escalateAfterHours: z.number().int().nonnegative().default(0),
  escalateTo: z.array(RecipientRef).min(1),
});
export type DeadlinePolicy = z.infer<typeof DeadlinePolicy>;

export const Source = z.strictObject({
  name: z.string().min(1),
  events: z.array(EventType).min(1),
});

export const CouncilConfig = z
  .strictObject({
    id: slug,
    name: z.string().min(1),
    shortName: z.string().min(1),
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/London'),
    protocol: z.strictObject({ name: z.string().min(1), url: z.url().optional() }),
    policeForce: z.string().min(1),
    agencies: z.record(slug, Agency),
    /** Which agency plays each part the guides name. */
    roles: z.strictObject({
      police: slug,
      rhiProvider: slug,
      exploitationTeam: slug,
      socialCare: slug,
      dutyAndAssessment: slug,
      earlyHelp: slug,
      safeguardingLead: slug,
      schools: slug,
      managers: slug,
    }),
    contacts: z.strictObject({
      adviceEmail: z.email().optional(),
      requestForServiceUrl: z.url().optional(),
    }),
    email: z.strictObject({ from: Inbox, replyTo: Inbox.optional() }),
    sources: z.record(slug, Source),
    routing: z.array(RoutingRule).min(1),
    deadlines: z.strictObject({
      prevention_interview: DeadlinePolicy,
      return_home_interview: DeadlinePolicy,
    }),
    repeatMissing: z.strictObject({
      /** A report marks the child repeat-missing when this many earlier episodes fall in the window. */
      previousEpisodes: z.number().int().positive(),
      withinDays: z.number().int().positive(),
    }),
    retention: z.strictObject({ days: z.number().int().positive() }),
  })
  .superRefine((council, ctx) => {
    const known = new Set([...Object.keys(council.agencies), ...episodeRecipients]);
    const check = (ref: string, path: (string | number)[]) => {
      if (!known.has(ref)) ctx.addIssue({ code: 'custom', message: `no agency "${ref}" in agencies`, path });
    };
    for (const [role, ref] of Object.entries(council.roles)) {
      if (!(ref in council.agencies)) {
        ctx.addIssue({ code: 'custom', message: `no agency "${ref}" in agencies`, path: ['roles', role] });
      }
    }
    council.routing.forEach((rule, r) => {
      rule.notify.forEach((n, i) => {
        check(n.to, ['routing', r, 'notify', i, 'to']);
      });
    });
    for (const kind of DeadlineKind.options) {
      const policy = council.deadlines[kind];
      check(policy.responsible, ['deadlines', kind, 'responsible']);
      policy.escalateTo.forEach((ref, i) => {
        check(ref, ['deadlines', kind, 'escalateTo', i]);
      });
      policy.remindBeforeHours.forEach((h, i) => {
        if (h >= policy.hours) {
          ctx.addIssue({
            code: 'custom',
            message: 'a reminder must fall after the return',
            path: ['deadlines', kind, 'remindBeforeHours', i],
          });
        }
      });
    }
  });
export type CouncilConfig = z.infer<typeof CouncilConfig>;
export type CouncilConfigInput = z.input<typeof CouncilConfig>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
