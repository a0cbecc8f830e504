import * as z from 'zod/mini';
import { EventType } from '../events/event-types';
import { RiskGrade } from '../events/risk-factors';
import '../validation/english-messages';

const slug = z.string().check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by -'));
const nonEmpty = () => z.string().check(z.minLength(1));
const positiveInt = () => z.number().check(z.int(), z.positive());

/**
 * An inbox. Where a guide gives no address, the council file carries a placeholder on the reserved
 * `.invalid` domain, marked as such, so nothing is ever delivered there and a production build refuses it.
 */
export const Inbox = z
  .strictObject({
    address: z.email(),
    placeholder: z._default(z.boolean(), false),
  })
  .check(
    z.refine((inbox) => inbox.placeholder === inbox.address.endsWith('.invalid'), {
      message: 'a placeholder inbox must be on the .invalid domain, and only a placeholder may be',
      path: ['placeholder'],
    }),
  );
export type Inbox = z.infer<typeof Inbox>;

/** How much about the child an agency's emails carry: only what it needs to act. */
export const ChildDetailLevel = z.enum(['full', 'identity', 'none']);
export type ChildDetailLevel = z.infer<typeof ChildDetailLevel>;

export const Agency = z.strictObject({
  name: nonEmpty(),
  inbox: Inbox,
  childDetails: ChildDetailLevel,
  phones: z._default(z.array(z.string().check(z.regex(/^[0-9 +]+$/, 'digits and spaces'))), []),
});
export type Agency = z.infer<typeof Agency>;

/** Recipients that come from the episode itself, each with the council agency used when the report names none. */
export const episodeRecipients = ['school', 'social-worker'] as const;
export const RecipientRef = z.union([z.enum(episodeRecipients), slug]);
export type RecipientRef = z.infer<typeof RecipientRef>;

export const DeadlineKind = z.enum(['prevention_interview', 'return_home_interview']);
export type DeadlineKind = z.infer<typeof DeadlineKind>;

export const RoutingCondition = z.strictObject({
  kind: z.optional(z.enum(['missing', 'absence'])),
  riskGrade: z.optional(z.array(RiskGrade).check(z.minLength(1))),
  exploitationRisk: z.optional(z.boolean()),
  repeatMissing: z.optional(z.boolean()),
  lookedAfter: z.optional(z.boolean()),
  riskOfHarm: z.optional(z.boolean()),
  immediateSignificantHarm: z.optional(z.boolean()),
  exploitationConcern: z.optional(z.boolean()),
  /** The police found indications of harm on return: child protection procedures apply. */
  harmSuspected: z.optional(z.boolean()),
});
export type RoutingCondition = z.infer<typeof RoutingCondition>;

export const RoutingRule = z.strictObject({
  id: slug,
  /** Why this rule exists, in the guide's words. */
  why: nonEmpty(),
  on: z.array(EventType).check(z.minLength(1)),
  when: z._default(RoutingCondition, {}),
  notify: z
    .array(
      z.strictObject({
        to: RecipientRef,
        /** What this recipient must do, as the email says it. */
        action: nonEmpty(),
        /** The deadline the action is due by, when there is one. */
        by: z.optional(DeadlineKind),
      }),
    )
    .check(z.minLength(1)),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const DeadlinePolicy = z.strictObject({
  /** Elapsed hours from the return to the due instant. */
  hours: positiveInt(),
  responsible: RecipientRef,
  action: nonEmpty(),
  /** Reminders to the responsible agency, this many hours before due. */
  remindBeforeHours: z._default(z.array(positiveInt()), []),
  /** The escalation fires this many hours after due, to these recipients as well as the responsible agency. */
  escalateAfterHours: z._default(z.number().check(z.int(), z.nonnegative()), 0),
  escalateTo: z.array(RecipientRef).check(z.minLength(1)),
});
export type DeadlinePolicy = z.infer<typeof DeadlinePolicy>;

export const Source = z.strictObject({
  name: nonEmpty(),
  events: z.array(EventType).check(z.minLength(1)),
});

export const CouncilConfig = z
  .strictObject({
    id: slug,
    name: nonEmpty(),
    shortName: nonEmpty(),
    timeZone: z.string().check(z.refine(isTimeZone, 'an IANA time zone such as Europe/London')),
    protocol: z.strictObject({ name: nonEmpty(), url: z.optional(z.url()) }),
    policeForce: nonEmpty(),
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
      adviceEmail: z.optional(z.email()),
      requestForServiceUrl: z.optional(z.url()),
    }),
    email: z.strictObject({ from: Inbox, replyTo: z.optional(Inbox) }),
    sources: z.record(slug, Source),
    routing: z.array(RoutingRule).check(z.minLength(1)),
    deadlines: z.strictObject({
      prevention_interview: DeadlinePolicy,
      return_home_interview: DeadlinePolicy,
    }),
    repeatMissing: z.strictObject({
      /** A report marks the child repeat-missing when this many earlier episodes fall in the window. */
      previousEpisodes: positiveInt(),
      withinDays: positiveInt(),
    }),
    retention: z.strictObject({ days: positiveInt() }),
  })
  .check(
    z.superRefine((council, ctx) => {
      const known = new Set([...Object.keys(council.agencies), ...episodeRecipients]);
      const check = (ref: string, path: (string | number)[]) => {
        if (!known.has(ref))
          ctx.addIssue({ code: 'custom', message: `no agency "${ref}" in agencies`, path });
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
    }),
  );
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
