import { describe, expect, test } from 'vitest';
import { type DeadlineNotice, deadlineNotices } from '../../../shared/deadlines/deadline-notices';
import { noticeEmail } from '../../../shared/email/notice-email';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import type { EpisodeProvenance } from '../../../shared/routing/provenance';
import { resolveRecipient } from '../../../shared/routing/recipients';
import { towerHamlets as council } from '../../support/councils';
import { fullEpisode } from '../../support/events';

const episode = foldEpisode(fullEpisode('MPS-2026-0002').slice(0, 3), { council });
if (!episode) throw new Error('no episode');
const provenance: EpisodeProvenance = { reportSourceId: 'met-police', policeHaveReport: true };
const recipient = (ref: string) => resolveRecipient(ref, episode, council);
const notice = (
  kind: DeadlineNotice['deadlineKind'],
  which: DeadlineNotice['notice'],
  hoursBefore?: number,
) => {
  const found = deadlineNotices(episode, council).find(
    (n) => n.deadlineKind === kind && n.notice === which && n.hoursBefore === hoursBefore,
  );
  if (!found) throw new Error(`no ${which} for ${kind}`);
  return found;
};

describe('deadline notice emails', () => {
  test('a reminder tells the responsible agency the deadline in local time and how long is left', () => {
    const reminder = notice('return_home_interview', 'reminder', 4);
    const email = noticeEmail({
      notice: reminder,
      episode,
      provenance,
      recipient: recipient('exploitation-service'),
      told: [recipient('exploitation-service')],
      council,
      now: reminder.fireAt,
    });
    expect(email.subject).toBe(
      '[LBTH] Reminder: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0002)',
    );
    expect(email.text).toContain('is due by Tue 27 Oct 2026, 08:30 GMT (in 4 hours)');
    expect(email.text).toContain(
      'Hold the independent Return Home Interview, or record that the child declined it.',
    );
  });

  test('an escalation says how overdue the deadline is, and asks managers to make the responsible agency act', () => {
    const escalation = notice('return_home_interview', 'escalation');
    const told = ['exploitation-service', 'missing-managers', 'social-worker'].map(recipient);
    const email = noticeEmail({
      notice: escalation,
      episode,
      provenance,
      recipient: recipient('missing-managers'),
      told,
      council,
      now: '2026-10-27T10:00:00Z',
    });
    expect(email.subject).toBe(
      '[LBTH] OVERDUE: Return Home Interview was due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0002)',
    );
    expect(email.text).toContain('was due by Tue 27 Oct 2026, 08:30 GMT (1 hour 30 minutes ago)');
    expect(email.text).toContain('Make sure Tower Hamlets Exploitation service does this now');
    expect(email.text).toContain(
      "Responsible: Tower Hamlets Exploitation service. This escalation goes to Tower Hamlets Exploitation service, Tower Hamlets missing children service managers, Tower Hamlets Children's Social Care.",
    );
    expect(email.text).not.toContain('Alex');
  });

  test('an escalation fired the moment its deadline passes says it was due just now', () => {
    const escalation = notice('prevention_interview', 'escalation');
    const email = noticeEmail({
      notice: escalation,
      episode,
      provenance,
      recipient: recipient('met-police'),
      told: [recipient('met-police')],
      council,
      now: escalation.fireAt,
    });
    expect(email.text).toContain(
      'The Prevention Interview was asked for as soon as possible and was due by Tue 27 Oct 2026, 08:30 GMT (just now) at the latest',
    );
    expect(email.text).toContain('Carry out the face-to-face Prevention Interview. Now: it is overdue.');
  });
});

describe('notices of the deadlines that run while missing and on immediate harm', () => {
  const ref = 'MPS-2026-0003';
  const [reported, graded, returned] = fullEpisode(ref);
  if (!reported || !graded || !returned) throw new Error('a full episode');
  const missing = foldEpisode([reported, graded], { council });
  if (!missing) throw new Error('no episode');
  const render = (
    state: NonNullable<typeof missing>,
    kind: DeadlineNotice['deadlineKind'],
    which: DeadlineNotice['notice'],
    to: string,
    extra: { action?: string } = {},
  ) => {
    const found = deadlineNotices(state, council).find((n) => n.deadlineKind === kind && n.notice === which);
    if (!found) throw new Error(`no ${which} for ${kind}`);
    const who = resolveRecipient(to, state, council);
    return noticeEmail({
      notice: found,
      episode: state,
      provenance,
      recipient: who,
      told: [who],
      council,
      now: found.fireAt,
      ...extra,
    });
  };

  test('the manager’s review reminder says how long the child has been missing and what is due, in local time', () => {
    const email = render(missing, 'manager_review', 'reminder', 'social-worker');
    expect(email.subject).toBe(
      `[LBTH] Reminder: Manager's review due Fri 23 Oct 2026, 18:00 BST (ref ${ref})`,
    );
    expect(email.text).toContain(
      "The child was last seen on Thu 22 Oct 2026, 18:00 BST and is still missing. The manager's review is due by Fri 23 Oct 2026, 18:00 BST (in 4 hours), and is not recorded as done.",
    );
    expect(email.text).toContain('Have your team manager review the plan');
  });

  test('an overdue strategy discussion says which grade started it and asks the safeguarding lead its own question', () => {
    const escalation = render(missing, 'strategy_discussion', 'escalation', 'safeguarding-lead', {
      action: 'Make sure one is held today.',
    });
    expect(escalation.subject).toBe(
      `[LBTH] OVERDUE: Strategy discussion was due Fri 23 Oct 2026, 20:00 BST (ref ${ref})`,
    );
    expect(escalation.text).toContain(
      'The police graded the child high risk on Thu 22 Oct 2026, 20:00 BST, while missing.',
    );
    expect(escalation.text).toContain('- Make sure one is held today.');
    expect(escalation.text).toContain('Responsible: Tower Hamlets Children');
  });

  test('a recipient who does not hold the risk is not told the grade that started a strategy discussion', () => {
    // Education safeguarding holds identity and education only (it is never sent this; the rule is the email's own).
    const school = render(missing, 'strategy_discussion', 'escalation', 'education-safeguarding');
    expect(school.text).not.toContain('graded');
    expect(school.text).toContain('and is still missing. The strategy discussion was due by');
    expect(school.text).not.toContain('Strategy discussion (');
  });
});
