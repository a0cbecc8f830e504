import { factorWords, riskGradeLabel } from '../email/episode-sections';
import type { EventType } from '../events/event-types';
import { RiskFactor, RiskGrade } from '../events/risk-factors';
import { fromLocalInput } from '../time/instant';
import { capitalised } from './action-steps';

/**
 * The form for each event a step is recorded with: the fields its data schema asks for, in the words a
 * worker reads, each named by its path in the event's data ("recordedBy.name"). The schema itself still
 * validates what a form builds (parseEvent), so a form can never let through what a webhook could not.
 */
export type FormField =
  | { kind: 'instant'; name: string; label: string; hint?: string }
  | {
      kind: 'choice';
      name: string;
      label: string;
      options: readonly (readonly [string, string])[];
      optional?: true;
    }
  /** Ticks that become an object of booleans (concerns): unticked is false. */
  | {
      kind: 'flags';
      name: string;
      label: string;
      hint?: string;
      options: readonly (readonly [string, string])[];
    }
  /** Ticks that become a list (risk factors): none ticked is no list. */
  | {
      kind: 'list';
      name: string;
      label: string;
      hint?: string;
      options: readonly (readonly [string, string])[];
    }
  | {
      kind: 'text';
      name: string;
      label: string;
      maxLength: number;
      optional?: true;
      hint?: string;
      autocomplete?: string;
    }
  /** Free text kept short: the email quotes it to those who hold free text. */
  | { kind: 'note'; name: string; label: string; maxLength: number; hint?: string };

export interface StepForm {
  /**
   * What this form records, in the past tense: its heading where a step has more than one form, and with the
   * time, what the confirmation says ("The child declined the interview on ...").
   */
  heading: string;
  /** Its button. */
  submit: string;
  fields: readonly FormField[];
}

/** Notes are kept short: an email is read in five seconds, and a case record is where the detail goes. */
const NOTE_LENGTH = 500;

const concerns: FormField = {
  kind: 'flags',
  name: 'concerns',
  label: 'What did it find?',
  hint: 'Tick all that apply. Leave all unticked if there were no concerns.',
  options: [
    ['immediateSignificantHarm', 'An immediate risk of significant harm'],
    ['riskOfHarm', 'A risk of harm'],
    ['exploitation', 'Concerns of exploitation'],
  ],
};

const who = (path: 'recordedBy' | 'acknowledgedBy'): FormField[] => [
  { kind: 'text', name: `${path}.name`, label: 'Your name', maxLength: 200, autocomplete: 'name' },
  {
    kind: 'text',
    name: `${path}.phone`,
    label: 'Your phone number (optional)',
    hint: 'So that others working with the child can reach you.',
    maxLength: 20,
    optional: true,
    autocomplete: 'tel',
  },
];

const note: FormField = {
  kind: 'note',
  name: 'note',
  label: 'Note (optional)',
  hint: `At most ${NOTE_LENGTH} characters: the detail belongs in your case record.`,
  maxLength: NOTE_LENGTH,
};

const when = (name: string, label: string): FormField => ({
  kind: 'instant',
  name,
  label,
  hint: 'The date and time, in UK time.',
});

/** A form for every event an `email:` source may be allowed (step-kinds.ts's recordableEventTypes). */
export const stepForms: Partial<Record<EventType, StepForm>> = {
  'prevention_interview.completed': {
    heading: 'The Prevention Interview was held',
    submit: 'Record the Prevention Interview',
    fields: [when('completedAt', 'When was it held?'), concerns, ...who('recordedBy')],
  },
  'rhi.completed': {
    heading: 'The interview was held',
    submit: 'Record the Return Home Interview',
    fields: [
      when('completedAt', 'When was it held?'),
      {
        kind: 'choice',
        name: 'setting',
        label: 'Where was it held?',
        options: [
          ['neutral', 'A neutral place'],
          ['home', 'At home'],
          ['school', 'At school'],
          ['other', 'Somewhere else'],
        ],
      },
      concerns,
      {
        kind: 'choice',
        name: 'referral.outcome',
        label: 'Was the child referred or signposted on?',
        optional: true,
        options: [
          ['referred', 'Referred on'],
          ['signposted', 'Signposted on'],
          ['none', 'Neither'],
        ],
      },
      {
        kind: 'text',
        name: 'referral.to',
        label: 'To whom (optional)',
        hint: 'A service, not a person: for example, the substance misuse service.',
        maxLength: 200,
        optional: true,
      },
      ...who('recordedBy'),
    ],
  },
  'rhi.declined': {
    heading: 'The child declined the interview',
    submit: 'Record that the child declined',
    fields: [
      when('declinedAt', 'When did they decline it?'),
      { ...note, name: 'reason', label: 'Their reason, if they gave one (optional)' },
    ],
  },
  'strategy_discussion.held': {
    heading: 'The strategy discussion was held',
    submit: 'Record the strategy discussion',
    fields: [
      when('heldAt', 'When was it held?'),
      {
        kind: 'choice',
        name: 'outcome',
        label: 'What did it decide?',
        options: [
          ['section_47_enquiry', 'A section 47 enquiry'],
          ['child_protection_plan', 'To proceed under a child protection plan'],
          ['no_further_action', 'No further action under child protection procedures'],
        ],
      },
      ...who('recordedBy'),
      note,
    ],
  },
  'referral.acknowledged': {
    heading: 'The referral was acknowledged',
    submit: 'Acknowledge the referral',
    fields: [when('acknowledgedAt', 'When did your team take it up?'), ...who('acknowledgedBy')],
  },
  'missing.reviewed': {
    heading: 'The plan was reviewed',
    submit: 'Record the review',
    fields: [when('reviewedAt', 'When was it reviewed?'), ...who('recordedBy'), note],
  },
  'absence.safety_confirmed': {
    heading: 'The child was confirmed safe where they are',
    submit: 'Confirm the child is safe',
    fields: [when('confirmedAt', 'When was it confirmed?'), ...who('recordedBy'), note],
  },
  'missing.risk_assessed': {
    heading: 'The risk was assessed',
    submit: 'Record the risk assessment',
    fields: [
      {
        kind: 'choice',
        name: 'riskGrade',
        label: 'Risk grade',
        options: RiskGrade.options.map((grade) => [grade, capitalised(riskGradeLabel[grade])] as const),
      },
      when('assessedAt', 'When was it assessed?'),
      {
        kind: 'list',
        name: 'riskFactors',
        label: 'Risk factors found (optional)',
        hint: 'Tick any the assessment found. Those already recorded stay recorded.',
        options: RiskFactor.options.map((factor) => [factor, capitalised(factorWords(factor))] as const),
      },
    ],
  },
};

export interface FormIssue {
  /** The field's name, or undefined for the form as a whole. */
  field?: string;
  message: string;
}

/** What a submitted form came to: the event's data fields, or what is wrong with it. */
export type FormReading = { ok: true; data: Record<string, unknown> } | { ok: false; issues: FormIssue[] };

const setPath = (target: Record<string, unknown>, path: string, value: unknown) => {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  target[head] ??= {};
  setPath(target[head] as Record<string, unknown>, rest.join('.'), value);
};

/**
 * Reads a submitted form into an event's data: local times become instants in the council's zone, ticks
 * become booleans or a list, empty optional fields are left out. What a person must fix is said per field,
 * in words; the event schema then checks the rest (lengths, characters, the allowed values).
 */
export const readForm = (form: StepForm, values: URLSearchParams, timeZone: string): FormReading => {
  const data: Record<string, unknown> = {};
  const issues: FormIssue[] = [];
  for (const field of form.fields) {
    const value = (values.get(field.name) ?? '').trim();
    switch (field.kind) {
      case 'instant': {
        if (!value) {
          issues.push({ field: field.name, message: 'Enter the date and time' });
          break;
        }
        const instant = fromLocalInput(value, timeZone);
        if (!instant) {
          issues.push({ field: field.name, message: 'Enter a real date and time, in UK time' });
          break;
        }
        setPath(data, field.name, instant);
        break;
      }
      case 'choice': {
        if (!value) {
          if (!field.optional) issues.push({ field: field.name, message: 'Choose one of the options' });
          break;
        }
        if (!field.options.some(([option]) => option === value)) {
          issues.push({ field: field.name, message: 'Choose one of the options' });
          break;
        }
        setPath(data, field.name, value);
        break;
      }
      case 'flags': {
        const ticked = values.getAll(field.name);
        setPath(
          data,
          field.name,
          Object.fromEntries(field.options.map(([option]) => [option, ticked.includes(option)])),
        );
        break;
      }
      case 'list': {
        const ticked = values
          .getAll(field.name)
          .filter((v) => field.options.some(([option]) => option === v));
        if (ticked.length > 0) setPath(data, field.name, ticked);
        break;
      }
      case 'text':
      case 'note': {
        if (!value) {
          if (field.kind === 'text' && !field.optional) {
            issues.push({ field: field.name, message: `Enter ${field.label.toLowerCase()}` });
          }
          break;
        }
        if (value.length > field.maxLength) {
          issues.push({ field: field.name, message: `Keep it to ${field.maxLength} characters or fewer` });
          break;
        }
        setPath(data, field.name, value);
        break;
      }
    }
  }
  // Whom the child was referred to means nothing without saying they were.
  const referral = data.referral as { outcome?: string; to?: string } | undefined;
  if (referral && !referral.outcome) {
    issues.push({
      field: 'referral.outcome',
      message: 'Say whether the child was referred or signposted on',
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, data };
};

/** The form field an issue about the event names ("data.completedAt" is the field "completedAt"), if any. */
export const formFieldOf = (form: StepForm, field: string): string | undefined => {
  const path = field.replace(/^data\./, '');
  return form.fields.find((f) => f.name === path || path.startsWith(`${f.name}.`))?.name;
};
