import { describe, expect, it } from 'vitest';
import { openDeadlines } from '../../../shared/deadlines/open-deadlines';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import { councils, towerHamlets } from '../../support/councils';
import { emailsFor } from '../../support/episode-record';
import { fullEpisode, parsedEvent } from '../../support/events';

const ref = 'OPEN-1';
const [report, graded, found] = fullEpisode(ref);
if (!report || !graded || !found) throw new Error('a full episode');

describe.each(councils)('$id: the open deadlines of an episode', (council) => {
  it('lists everything still owed, soonest first, with who owes it and the step that meets it', () => {
    const state = foldEpisode([report, graded], { council });
    if (!state) throw new Error('no episode');
    const open = openDeadlines(state, council, '2026-10-23T18:00:00Z');
    expect(open.map((d) => [d.kind, d.dueAt, d.state])).toEqual([
      // Last seen 17:00 UTC on 22 October; graded high at 19:00 UTC.
      ['manager_review', '2026-10-23T17:00:00.000Z', 'overdue'],
      ['strategy_discussion', '2026-10-23T19:00:00.000Z', 'open'],
      ['head_of_service_review', '2026-10-25T17:00:00.000Z', 'open'],
    ]);
    expect(open[1]).toMatchObject({
      label: 'Strategy discussion',
      asSoonAsPossible: false,
      responsible: { ref: 'social-worker', name: council.agencies[council.roles.socialCare]?.name },
      step: { type: 'strategy_discussion.held' },
    });
    expect(open[0]?.step).toEqual({ type: 'missing.reviewed', fixed: { level: 'manager' } });
  });

  it('after the return, lists the interviews, the Prevention Interview as soon as possible', () => {
    const state = foldEpisode([report, graded, found], { council });
    if (!state) throw new Error('no episode');
    expect(
      openDeadlines(state, council, '2026-10-24T09:00:00Z').map((d) => [d.kind, d.asSoonAsPossible]),
    ).toEqual([
      ['prevention_interview', true],
      ['return_home_interview', false],
    ]);
  });
});

describe('the open deadlines in every email', () => {
  it('name every deadline owed on the child, in local time with time left, as far as the recipient may know', () => {
    const harm = parsedEvent(
      'prevention_interview.completed',
      {
        episodeRef: ref,
        completedAt: '2026-10-24T15:00:00+01:00',
        concerns: { riskOfHarm: false, immediateSignificantHarm: true, exploitation: false },
      },
      { id: `${ref}-4`, time: '2026-10-24T15:05:00+01:00' },
    );
    const emails = emailsFor(towerHamlets, [report, graded, found, harm]);
    const duty = emails.find((e) => e.ref === 'duty-and-assessment');
    expect(duty?.text).toContain(
      [
        'Open deadlines on this child',
        'Referral acknowledgement (Tower Hamlets Duty and Assessment Team): due Sat 24 Oct 2026, 19:05 BST (in 4 hours)',
        'Return Home Interview (Tower Hamlets Exploitation service): due Tue 27 Oct 2026, 08:30 GMT (in 2 days 18 hours)',
      ].join('\n'),
    );
    // The social worker (here social care's inbox) holds the concerns; a school would not be told of the referral.
    const social = emails.find((e) => e.ref === 'social-worker');
    expect(social?.text).toContain('Referral acknowledgement (Tower Hamlets Duty and Assessment Team)');
  });
});
