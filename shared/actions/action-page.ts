import { createHash } from 'node:crypto';
import { escapeHtml } from '../email/email-document';
import type { EventType } from '../events/event-types';
import { formatLocal, formatRelative, localInputValue } from '../time/instant';
import { capitalised, stepInSentence, stepTitles } from './action-steps';
import { LINK_LIFETIME_DAYS } from './action-token';
import type { FormField, FormIssue, StepForm } from './step-forms';
import type { StepKind } from './step-kinds';

/** What the page says about the step, whatever it shows: never anything about the child but the reference. */
export interface StepContext {
  councilName: string;
  councilShortName: string;
  timeZone: string;
  now: string;
  step: StepKind;
  episodeRef: string;
  agencyName: string;
  linkExpiresAt: string;
  /** The deadline the step meets, while it is owed. */
  deadline?: { dueAt: string; asSoonAsPossible: boolean };
}

/** One of the page's forms: an event the step is recorded with, and what was typed into it last time. */
export interface FormView {
  type: EventType;
  form: StepForm;
  issues?: FormIssue[];
  values?: URLSearchParams;
}

/** Every page a link can lead to. */
export type ActionView =
  | { kind: 'form'; context: StepContext; token: string; postTo: string; forms: FormView[] }
  | { kind: 'recorded'; context: StepContext; what: string; receiptTo: string }
  | { kind: 'duplicate'; context: StepContext; recordedAt: string }
  | { kind: 'superseded'; context: StepContext; why: string }
  | { kind: 'expired' }
  | { kind: 'invalid' }
  | { kind: 'refused'; why: string }
  | { kind: 'busy' }
  | { kind: 'failed' };

/**
 * The page's own styles, inline and allowed by their hash alone (no other style, script, image, font or
 * frame may load): plain, large, high-contrast, usable at 320 px, in the spirit of the GOV.UK design system
 * but with none of its assets.
 */
const STYLES = [
  '*{box-sizing:border-box}',
  'body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;background:#fff}',
  'header{background:#0b0c0c;color:#fff;padding:12px 16px;font-weight:bold}',
  'main{max-width:680px;margin:0 auto;padding:8px 16px 32px}',
  'h1{font-size:32px;line-height:1.15;margin:24px 0 20px}',
  'h2{font-size:24px;line-height:1.2;margin:36px 0 16px}',
  'p{margin:0 0 16px}',
  'dl{margin:0 0 24px;border-top:1px solid #b1b4b6}',
  'dl div{display:flex;flex-wrap:wrap;gap:0 16px;border-bottom:1px solid #b1b4b6;padding:8px 0}',
  'dt{font-weight:bold;flex:0 0 11em}dd{margin:0;flex:1 1 14em}',
  '.overdue{color:#b0240e;font-weight:bold}',
  'form{border-top:4px solid #0b0c0c;margin-top:32px}',
  '.field{margin:0 0 28px}fieldset{border:0;margin:0 0 28px;padding:0;min-width:0}',
  'label,legend{display:block;font-weight:bold;margin:0 0 6px;padding:0}',
  '.hint{color:#505a5f;margin:0 0 8px}',
  'input[type=text],input[type=tel],input[type=datetime-local],textarea{font:inherit;width:100%;max-width:22em;padding:6px 8px;border:2px solid #0b0c0c;border-radius:0;background:#fff;color:#0b0c0c}',
  'textarea{max-width:100%;min-height:6em}',
  '.option{display:flex;align-items:flex-start;gap:10px;margin:10px 0}',
  '.option input{width:28px;height:28px;margin:0;flex:none;accent-color:#0b0c0c}',
  '.option label{font-weight:normal;margin:2px 0 0}',
  'button{font:inherit;font-weight:bold;background:#00703c;color:#fff;border:0;border-bottom:3px solid #002d18;padding:10px 18px;cursor:pointer}',
  'button:hover{background:#005a30}',
  ':focus-visible{outline:3px solid #fd0;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}',
  '.errors{border:4px solid #b0240e;padding:16px 20px;margin:0 0 28px}.errors h2{margin-top:0}',
  '.errors a{color:#b0240e;font-weight:bold}',
  '.error{color:#b0240e;font-weight:bold;margin:0 0 6px}',
  '.invalid input[type=text],.invalid input[type=tel],.invalid input[type=datetime-local],.invalid textarea{border-color:#b0240e}',
  '.done{background:#00703c;color:#fff;padding:20px 24px;margin:24px 0}.done h1{margin:0 0 8px}',
  '.small{font-size:16px;color:#505a5f;margin-top:40px}',
  '.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
  '@media (max-width:480px){body{font-size:17px}h1{font-size:26px}h2{font-size:21px}dt{flex-basis:100%}}',
].join('');

const styleHash = `sha256-${createHash('sha256').update(STYLES).digest('base64')}`;

/**
 * The headers of every page: a strict content security policy (nothing loads but the page's own hashed
 * styles; forms post to this site only; no framing), no referrer (the link's token must not leak to wherever
 * a worker goes next), not indexed, not cached, not sniffed.
 */
export const actionPageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src '${styleHash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000',
};

/** The HTTP status each page is answered with. */
export const viewStatus = (view: ActionView): number => {
  switch (view.kind) {
    case 'form':
      return view.forms.some((f) => f.issues) ? 422 : 200;
    case 'recorded':
    case 'duplicate':
      return 200;
    case 'superseded':
      return 409;
    case 'expired':
      return 410;
    case 'invalid':
      return 404;
    case 'refused':
      return 403;
    case 'busy':
      return 429;
    case 'failed':
      return 500;
  }
};

const e = escapeHtml;
const domId = (form: number, name: string) => `f${form}-${name.replace(/\./g, '-')}`;

const page = (title: string, body: string, council?: { shortName: string; name: string }) =>
  [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">',
    `<title>${e(title)}${council ? ` - ${e(council.shortName)}` : ''} - missing children pipeline</title>`,
    `<style>${STYLES}</style></head><body>`,
    `<header>${council ? `${e(council.name)}: missing children pipeline` : 'Missing children pipeline'}</header>`,
    `<main>${body}</main></body></html>`,
  ].join('');

const councilOf = (context: StepContext) => ({
  shortName: context.councilShortName,
  name: context.councilName,
});

/** The facts of the step: the reference, what, by when and the time left, and whom the link is for. */
const stepSummary = (context: StepContext): string => {
  const { deadline, now, timeZone } = context;
  const rows: [string, string][] = [
    ['Episode reference', e(context.episodeRef)],
    ['Step', e(capitalised(stepInSentence(context.step)))],
  ];
  if (deadline) {
    const overdue = Date.parse(deadline.dueAt) <= Date.parse(now);
    rows.push(
      [
        deadline.asSoonAsPossible ? 'Due as soon as possible, by' : 'Due by',
        e(formatLocal(deadline.dueAt, timeZone)),
      ],
      [
        'Time left',
        overdue
          ? `<span class="overdue">Overdue: it was due ${e(formatRelative(deadline.dueAt, now))}</span>`
          : e(formatRelative(deadline.dueAt, now).replace(/^in /, '')),
      ],
    );
  }
  rows.push(['Recorded for', e(context.agencyName)]);
  return `<dl>${rows.map(([term, detail]) => `<div><dt>${term}</dt><dd>${detail}</dd></div>`).join('')}</dl>`;
};

const linkNote = (context: StepContext) =>
  `<p class="small">This link is for ${e(context.agencyName)} only, and works until ${e(
    formatLocal(context.linkExpiresAt, context.timeZone),
  )}. Do not forward it: whoever holds it can record this step in your agency's name.</p>`;

const fieldHtml = (field: FormField, index: number, view: FormView, context: StepContext): string => {
  const id = domId(index, field.name);
  const issue = view.issues?.find((i) => i.field === field.name);
  const values = view.values;
  const value = values?.get(field.name) ?? '';
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hint = 'hint' in field && field.hint ? `<p class="hint" id="${hintId}">${e(field.hint)}</p>` : '';
  const error = issue
    ? `<p class="error" id="${errorId}"><span class="visually-hidden">Error: </span>${e(issue.message)}</p>`
    : '';
  const describedBy = [hint ? hintId : '', issue ? errorId : ''].filter(Boolean).join(' ');
  const aria = `${describedBy ? ` aria-describedby="${describedBy}"` : ''}${issue ? ' aria-invalid="true"' : ''}`;
  const wrap = (inner: string) => `<div class="field${issue ? ' invalid' : ''}">${inner}</div>`;
  const group = (
    type: 'radio' | 'checkbox',
    options: readonly (readonly [string, string])[],
    picked: string[],
  ) =>
    `<fieldset class="${issue ? 'invalid' : ''}"${aria}><legend>${e(field.label)}</legend>${hint}${error}${options
      .map(
        ([option, label]) =>
          `<div class="option"><input type="${type}" id="${id}-${option}" name="${e(field.name)}" value="${e(option)}"${
            picked.includes(option) ? ' checked' : ''
          }${type === 'radio' && !('optional' in field && field.optional) ? ' required' : ''}><label for="${id}-${option}">${e(label)}</label></div>`,
      )
      .join('')}</fieldset>`;
  switch (field.kind) {
    case 'instant':
      return wrap(
        `<label for="${id}">${e(field.label)}</label>${hint}${error}<input type="datetime-local" id="${id}" name="${e(
          field.name,
        )}" value="${e(value)}" max="${localInputValue(context.now, context.timeZone)}" required${aria}>`,
      );
    case 'choice':
      return group('radio', field.options, [value]);
    case 'flags':
    case 'list':
      return group('checkbox', field.options, values?.getAll(field.name) ?? []);
    case 'text': {
      const type = field.autocomplete === 'tel' ? 'tel' : 'text';
      return wrap(
        `<label for="${id}">${e(field.label)}</label>${hint}${error}<input type="${type}" id="${id}" name="${e(
          field.name,
        )}" value="${e(value)}" maxlength="${field.maxLength}"${field.autocomplete ? ` autocomplete="${field.autocomplete}"` : ''}${
          field.optional ? '' : ' required'
        }${aria}>`,
      );
    }
    case 'note':
      return wrap(
        `<label for="${id}">${e(field.label)}</label>${hint}${error}<textarea id="${id}" name="${e(
          field.name,
        )}" maxlength="${field.maxLength}" rows="4"${aria}>${e(value)}</textarea>`,
      );
  }
};

/** Every problem with a submitted form at the top, each linking to its field, as the GOV.UK pattern has it. */
const errorSummary = (views: FormView[]): string => {
  const listed = views.flatMap((view, index) =>
    (view.issues ?? []).map((issue) => {
      const target = issue.field ?? view.form.fields[0]?.name;
      const label = view.form.fields.find((f) => f.name === issue.field)?.label;
      const text = `${label ? `${label.replace(/ \(optional\)$/, '')}: ` : ''}${issue.message}`;
      return target ? `<li><a href="#${domId(index, target)}">${e(text)}</a></li>` : `<li>${e(text)}</li>`;
    }),
  );
  return listed.length === 0
    ? ''
    : `<div class="errors" role="alert" tabindex="-1"><h2>There is a problem: nothing was recorded</h2><ul>${listed.join('')}</ul></div>`;
};

const formHtml = (
  view: FormView,
  index: number,
  context: StepContext,
  token: string,
  postTo: string,
  many: boolean,
) =>
  `<form method="post" action="${e(postTo)}" novalidate>${many ? `<h2>${e(view.form.heading)}</h2>` : ''}<input type="hidden" name="token" value="${e(
    token,
  )}"><input type="hidden" name="type" value="${e(view.type)}">${view.form.fields
    .map((field) => fieldHtml(field, index, view, context))
    .join('')}<button type="submit">${e(view.form.submit)}</button></form>`;

/** The page a link or a form's submission answers with. */
export const renderActionPage = (view: ActionView): string => {
  switch (view.kind) {
    case 'form': {
      const { context } = view;
      const many = view.forms.length > 1;
      return page(
        stepTitles[context.step],
        `<h1>${e(stepTitles[context.step])}</h1>${stepSummary(context)}${errorSummary(view.forms)}${
          many ? '<p>Fill in the one that happened.</p>' : ''
        }${view.forms.map((f, i) => formHtml(f, i, context, view.token, view.postTo, many)).join('')}${linkNote(context)}`,
        councilOf(context),
      );
    }
    case 'recorded':
      return page(
        'Recorded',
        `<div class="done" role="status"><h1>Recorded</h1><p>${e(view.what)}</p></div>${stepSummary({
          ...view.context,
          deadline: undefined,
        })}<p>The reminders for it stop, and everyone the council's rules name is told. A receipt goes to ${e(
          view.receiptTo,
        )}.</p><p>You can close this page.</p>`,
        councilOf(view.context),
      );
    case 'duplicate':
      return page(
        'Already recorded',
        `<h1>Already recorded</h1><p>${e(capitalised(stepInSentence(view.context.step)))} was recorded from this link on ${e(
          formatLocal(view.recordedAt, view.context.timeZone),
        )}. Nothing more was recorded.</p>${stepSummary({ ...view.context, deadline: undefined })}<p>You can close this page.</p>`,
        councilOf(view.context),
      );
    case 'superseded':
      return page(
        'Nothing to record',
        `<h1>Nothing to record</h1><p>${e(view.why)}</p>${stepSummary({ ...view.context, deadline: undefined })}<p>Nothing was recorded from this link. If you think that is wrong, phone the team that asked you.</p>`,
        councilOf(view.context),
      );
    case 'expired':
      return page(
        'This link has expired',
        `<h1>This link has expired</h1><p>Links in the pipeline’s emails work for ${LINK_LIFETIME_DAYS} days. Nothing was recorded.</p><p>Use the link in the latest email about the child, or record the step in your own system.</p>`,
      );
    case 'invalid':
      return page(
        'This link is not valid',
        '<h1>This link is not valid</h1><p>It may have been copied incompletely, or changed. Nothing was recorded.</p><p>Open the link from the email again, or use the link in the latest email about the child.</p>',
      );
    case 'refused':
      return page(
        'Not recorded',
        `<h1>Not recorded</h1><p>${e(view.why)}</p><p>Open the link from the email again and submit the form from there.</p>`,
      );
    case 'busy':
      return page(
        'Too many requests',
        '<h1>Too many requests</h1><p>This page has been asked for too often in a short time. Wait a minute, then try again. Nothing was recorded.</p>',
      );
    case 'failed':
      return page(
        'Something went wrong',
        '<h1>Something went wrong</h1><p>Something failed on our side. Try the link again in a minute: if the step was recorded already, the page will say so.</p>',
      );
  }
};
