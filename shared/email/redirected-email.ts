import type { CouncilConfig } from '../council/council-schema';
import { CouncilConfigError } from '../council/load-council';
import type { Mailer, OutgoingEmail } from '../ports';
import type { Recipient } from '../routing/recipients';
import { escapeHtml, type RenderedEmail } from './email-document';

/** The same email with a note above it saying why it came to this inbox, in its text and in its HTML. */
export const withNote = (email: RenderedEmail, subjectPrefix: string, lines: string[]): RenderedEmail => {
  const note = lines.map((line) => `<p style="margin:4px 0">${escapeHtml(line)}</p>`).join('');
  const bodyOpen = /<body[^>]*>/i.exec(email.html);
  const at = bodyOpen ? bodyOpen.index + bodyOpen[0].length : 0;
  return {
    subject: `${subjectPrefix} ${email.subject}`,
    text: [...lines, '', '-----', '', email.text].join('\n'),
    html: `${email.html.slice(0, at)}<div style="border:2px solid #b00000;padding:8px 12px;margin:0 0 16px">${note}</div>${email.html.slice(at)}`,
  };
};

/** What the council's fallback inbox receives when the email service refused an agency's address. */
export const undeliverableEmail = (email: RenderedEmail, meantFor: Recipient): RenderedEmail =>
  withNote(email, `[Undeliverable to ${meantFor.name}]`, [
    `This email was meant for ${meantFor.name} (${meantFor.address}), but the email service refused that address.`,
    "It comes to you as the council's fallback inbox so that the child's news still reaches a person: please pass it on to them another way today.",
    'The operators have been alerted to correct the address.',
  ]);

/** What the operators' test inbox receives from a staging stack: the email, and whom it was meant for. */
export const stagingEmail = (email: OutgoingEmail): RenderedEmail =>
  withNote(email, '[Staging]', [
    "Sent by a staging stack, which sends every email to the operators' test inbox and never to an agency.",
    `Meant for: ${[...email.to, ...email.cc].join(', ')}`,
  ]);

/** A staging stack's mailer: whatever the routing says, every email goes to the operators' test inbox. */
export const testInboxMailer = (mailer: Mailer, testInbox: string): Mailer => ({
  send: (email) => mailer.send({ ...stagingEmail(email), to: [testInbox], cc: [] }),
});

/** The mailer a deployed stage sends through: a staging stack's sends only to the operators' test inbox. */
export const mailerForStage = (mailer: Mailer, stage: string | undefined, council: CouncilConfig): Mailer => {
  if (stage !== 'staging') return mailer;
  const testInbox = council.email.testInbox;
  if (!testInbox)
    throw new CouncilConfigError(`council ${council.id}: a staging stack needs email.testInbox`);
  return testInboxMailer(mailer, testInbox.address);
};
