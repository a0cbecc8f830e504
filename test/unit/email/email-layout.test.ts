import { describe, expect, test } from 'vitest';
import type { StepLink } from '../../../shared/actions/action-links';
import { deadlineNotices } from '../../../shared/deadlines/deadline-notices';
import { noticeEmails } from '../../../shared/notify/fire-notice';
import { bathNes, councils, towerHamlets } from '../../support/councils';
import { emailsFor, episodeRecord, otherSource } from '../../support/episode-record';
import { fullEpisode, parsedEvent, reportData } from '../../support/events';

/** A stand-in signer: the step and agency in the URL, so a test can see what each button records. */
const link: StepLink = (step, agencyId) => `https://pages.example/v1/actions?token=${step}.${agencyId}`;
const ref = 'MPS-2026-0007';
const [report, assessed, found] = fullEpisode(ref);
const now = '2026-10-24T10:00:00Z';

const emailTo = (council = towerHamlets, recipientRef: string, events = [report!, assessed!, found!]) => {
  const email = emailsFor(council, events, { now, link }).find((e) => e.ref === recipientRef);
  if (!email) throw new Error(`no email to ${recipientRef}`);
  return email;
};

describe('an email a busy worker reads in five seconds', () => {
  test('opens with a banner of what is due, by when and the time left, then the headline and the button', () => {
    const email = emailTo(towerHamlets, 'exploitation-service');
    const lines = email.text.split('\n\n');
    expect(lines.slice(0, 3)).toEqual([
      'DUE: Return Home Interview by Tue 27 Oct 2026, 08:30 GMT (2 days 22 hours left)',
      'LBTH: Child returned',
      'Record the Return Home Interview: https://pages.example/v1/actions?token=return_home_interview.exploitation-service',
    ]);
    // The HTML in the same order: banner, headline, button, timeline, then the details.
    const html = email.html;
    const order = [
      'DUE: Return Home Interview by',
      '<h1',
      'Record the Return Home Interview</a>',
      'Timeline</h2>',
      'What happened</h2>',
      'Contacts</h2>',
    ].map((marker) => html.indexOf(marker));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('asks the police for the Prevention Interview as soon as possible, with its button', () => {
    const email = emailTo(towerHamlets, 'met-police');
    expect(email.text).toMatch(
      /^DUE: Prevention Interview as soon as possible, by Tue 27 Oct 2026, 08:30 GMT at the latest \(2 days 22 hours left\)/,
    );
    expect(email.text).toContain(
      'Record the Prevention Interview: https://pages.example/v1/actions?token=prevention_interview.met-police',
    );
  });

  test('gives the police a button for the risk grade a report asks of them, while the child is missing', () => {
    const email = emailTo(towerHamlets, 'met-police', [report!]);
    expect(email.text).toContain(
      'Record the risk assessment: https://pages.example/v1/actions?token=risk_assessment.met-police',
    );
    // Nothing is due by a deadline in it, so no banner.
    expect(email.text.startsWith('LBTH: ')).toBe(true);
  });

  test('gives no button to a recipient not asked for a step, or whose agency may not record it from email', () => {
    for (const recipientRef of ['school', 'social-worker']) {
      const email = emailTo(towerHamlets, recipientRef);
      expect(email.text).not.toContain('https://pages.example');
      expect(email.html).not.toContain('https://pages.example');
    }
  });

  test('gives no button where the emails carry no links', () => {
    const email = emailsFor(towerHamlets, [report!, found!], { now }).find(
      (e) => e.ref === 'exploitation-service',
    );
    expect(email?.text).not.toContain('Record the Return Home Interview:');
    expect(email?.text.split('\n\n')[0]).toMatch(/^DUE: Return Home Interview/);
  });

  test('builds the HTML from tables with inline styles: no style block, script, image or external font', () => {
    const { html } = emailTo(towerHamlets, 'exploitation-service');
    expect(html).toContain('<table role="presentation"');
    expect(html).not.toMatch(/<style|<script|<img|<link|@import|class=/);
    expect(html).toContain(
      '<a href="https://pages.example/v1/actions?token=return_home_interview.exploitation-service" style="display:inline-block',
    );
  });

  test('shows a compact timeline of the episode, the risk grades only to those who hold the risk', () => {
    const held = emailTo(towerHamlets, 'exploitation-service');
    expect(held.text).toContain(
      [
        'Timeline',
        '- Thu 22 Oct 2026, 18:00 BST: Last seen',
        '- Thu 22 Oct 2026, 19:00 BST: Reported missing',
        '- Thu 22 Oct 2026, 20:00 BST: Risk graded high',
        '- Sat 24 Oct 2026, 09:30 BST: Found',
      ].join('\n'),
    );
    const school = emailTo(towerHamlets, 'school');
    expect(school.text).toContain('- Sat 24 Oct 2026, 09:30 BST: Found');
    expect(school.text).not.toContain('Risk graded');
  });
});

describe('a deadline notice', () => {
  const record = episodeRecord(towerHamlets, [report!, assessed!, found!]);
  const notices = deadlineNotices(record.state, towerHamlets).filter(
    (n) => n.deadlineKind === 'return_home_interview',
  );

  test('a reminder carries the banner and the button to the agency responsible', () => {
    const reminder = notices.find((n) => n.notice === 'reminder' && n.hoursBefore === 4)!;
    const [email] = noticeEmails(record, reminder, towerHamlets, reminder.fireAt, link);
    expect(email?.email.text.split('\n\n').slice(0, 2)).toEqual([
      'DUE: Return Home Interview by Tue 27 Oct 2026, 08:30 GMT (4 hours left)',
      'Reminder: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT',
    ]);
    expect(email?.email.text).toContain('Record the Return Home Interview: https://pages.example');
  });

  test('an escalation is red and overdue for everyone, with the button only for the agency responsible', () => {
    const escalation = notices.find((n) => n.notice === 'escalation')!;
    const emails = noticeEmails(record, escalation, towerHamlets, '2026-10-27T11:30:00Z', link);
    expect(emails.map((e) => [e.recipient.ref, e.email.text.includes('https://pages.example')])).toEqual([
      ['exploitation-service', true],
      ['missing-managers', false],
      ['social-worker', false],
    ]);
    for (const { email } of emails) {
      expect(email.text.split('\n\n')[0]).toBe(
        'OVERDUE: Return Home Interview was due Tue 27 Oct 2026, 08:30 GMT, 3 hours ago',
      );
      expect(email.html).toContain('background:#b0240e;color:#ffffff');
    }
  });

  test('no button once the step is recorded: a reminder that races the recording offers nothing to record', () => {
    const reminder = notices.find((n) => n.notice === 'reminder' && n.hoursBefore === 24)!;
    const recorded = episodeRecord(towerHamlets, [
      report!,
      assessed!,
      found!,
      {
        sourceId: otherSource(towerHamlets, 'rhi.declined'),
        event: parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-25T10:00:00Z' }),
      },
    ]);
    const [email] = noticeEmails(recorded, reminder, towerHamlets, reminder.fireAt, link);
    expect(email?.email.text).not.toContain('https://pages.example');
  });
});

describe.each(councils)('$id: a button for every step the council lets its agencies record', (council) => {
  test('the Duty and Assessment Team acknowledges an immediate-harm referral from its email', () => {
    const events = fullEpisode('REF-9').slice(0, 3);
    const harm = parsedEvent(
      'rhi.completed',
      {
        episodeRef: 'REF-9',
        completedAt: '2026-10-24T12:00:00Z',
        setting: 'home',
        concerns: { riskOfHarm: true, immediateSignificantHarm: true, exploitation: false },
      },
      { time: '2026-10-24T12:05:00Z' },
    );
    const email = emailsFor(
      council,
      [...events, { sourceId: otherSource(council, 'rhi.completed'), event: harm }],
      {
        now,
        link,
      },
    ).find((e) => e.ref === council.roles.dutyAndAssessment);
    expect(email?.text).toContain(
      `Acknowledge the referral: https://pages.example/v1/actions?token=referral_acknowledgement.${council.roles.dutyAndAssessment}`,
    );
  });

  test("the social worker is given the manager's review, recorded in social care's name", () => {
    const missing = parsedEvent(
      'missing.reported',
      reportData('REF-10', { socialWorker: { email: 'sw@example.org' } }),
      {
        time: '2026-10-22T19:00:00Z',
      },
    );
    const record = episodeRecord(council, [missing]);
    const review = deadlineNotices(record.state, council).find(
      (n) => n.deadlineKind === 'manager_review' && n.notice === 'reminder',
    )!;
    const [email] = noticeEmails(record, review, council, review.fireAt, link);
    expect(email?.recipient.address).toBe('sw@example.org');
    expect(email?.email.text).toContain(
      `Record the manager's review: https://pages.example/v1/actions?token=manager_review.${council.roles.socialCare}`,
    );
  });
});

test('B&NES too asks its Youth Offending Service for the RHI with a button', () => {
  const email = emailTo(bathNes, 'youth-offending-service', fullEpisode('ASP-1').slice(0, 3));
  expect(email.text).toContain('Record the Return Home Interview: https://pages.example');
});
