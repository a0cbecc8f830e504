import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../shared/email/email-document';
import { testInboxMailer, undeliverableEmail } from '../../../shared/email/redirected-email';
import type { DetailCategory } from '../../../shared/events/detail-categories';
import { FakeMailer } from '../../support/notify-fakes';

const original = renderEmail({
  subject: '[B&NES] Child reported missing',
  headline: 'A child was reported missing',
  sections: [{ title: 'What to do', lines: ['Risk assess this report.'] }],
  footer: 'Sent by the pipeline.',
});
const meantFor = {
  ref: 'youth-offending-service',
  name: 'B&NES <Youth> Offending Service',
  address: 'yos@bathnes.gov.uk',
  placeholder: false,
  details: new Set<DetailCategory>(['identity']),
  agency: 'youth-offending-service',
};

describe('an email redirected to another inbox', () => {
  it('to the fallback inbox: says whom it was meant for and why, above the whole original, text and HTML', () => {
    const email = undeliverableEmail(original, meantFor);
    expect(email.subject).toBe(
      '[Undeliverable to B&NES <Youth> Offending Service] [B&NES] Child reported missing',
    );
    expect(email.text).toMatch(
      /^This email was meant for B&NES <Youth> Offending Service \(yos@bathnes\.gov\.uk\)/,
    );
    expect(email.text.endsWith(original.text)).toBe(true);
    expect(email.html).toContain('B&amp;NES &lt;Youth&gt; Offending Service (yos@bathnes.gov.uk)');
    expect(email.html).not.toContain('<Youth>');
    expect(email.html.indexOf('refused that address')).toBeLessThan(
      email.html.indexOf('A child was reported missing</h1>'),
    );
    expect(email.html.startsWith('<!doctype html>')).toBe(true);
  });

  it('from a staging stack: only to the test inbox, however many recipients, naming them all', async () => {
    const sent = new FakeMailer();
    await testInboxMailer(sent, 'ops-test@council.gov.uk').send({
      ...original,
      to: ['police@example.org'],
      cc: ['managers@example.org'],
    });
    expect(sent.sent).toHaveLength(1);
    expect(sent.sent[0]).toMatchObject({ to: ['ops-test@council.gov.uk'], cc: [] });
    expect(sent.sent[0]?.subject).toBe('[Staging] [B&NES] Child reported missing');
    expect(sent.sent[0]?.text).toContain('Meant for: police@example.org, managers@example.org');
  });
});
