import { describe, expect, it } from 'vitest';
import {
  deadlineNotices,
  deadlineState,
  noticeChanges,
  noticeKey,
  noticeRecipients,
} from '../../../shared/deadlines/deadline-notices';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import { bathNes, councils, towerHamlets } from '../../support/councils';
import { fullEpisode, parsedEvent } from '../../support/events';

const ref = 'MPS-2026-0001';
const events = fullEpisode(ref, '2026-10-24T09:30:00+01:00');
const stateAfter = (count: number) => foldEpisode(events.slice(0, count), { council: towerHamlets });

describe('deadline notices', () => {
  it('a return opens a reminder and an escalation per deadline, at the council’s offsets', () => {
    const notices = deadlineNotices(stateAfter(3)!, towerHamlets);
    expect(notices.map((n) => [n.deadlineKind, n.notice, n.hoursBefore, n.fireAt])).toEqual([
      ['prevention_interview', 'reminder', 24, '2026-10-26T08:30:00.000Z'],
      ['prevention_interview', 'escalation', undefined, '2026-10-27T08:30:00.000Z'],
      ['return_home_interview', 'reminder', 24, '2026-10-26T08:30:00.000Z'],
      ['return_home_interview', 'reminder', 4, '2026-10-27T04:30:00.000Z'],
      ['return_home_interview', 'escalation', undefined, '2026-10-27T08:30:00.000Z'],
    ]);
  });

  it('the escalation fires at 72 hours after the return', () => {
    const rhi = deadlineNotices(stateAfter(3)!, towerHamlets).find(
      (n) => n.deadlineKind === 'return_home_interview' && n.notice === 'escalation',
    );
    expect(Date.parse(rhi!.fireAt) - Date.parse('2026-10-24T08:30:00Z')).toBe(72 * 3_600_000);
  });

  it('the report opens the while-missing notices; the return cancels them and creates the interviews’', () => {
    const kinds = (notices: { deadlineKind: string }[]) => [...new Set(notices.map((n) => n.deadlineKind))];
    expect(kinds(noticeChanges(undefined, stateAfter(1)!, towerHamlets).create)).toEqual([
      'manager_review',
      'head_of_service_review',
      'strategy_discussion',
    ]);
    const changes = noticeChanges(stateAfter(2), stateAfter(3)!, towerHamlets);
    expect(changes.create).toHaveLength(5);
    expect(kinds(changes.create)).toEqual(['prevention_interview', 'return_home_interview']);
    expect(kinds(changes.cancel)).toEqual([
      'manager_review',
      'head_of_service_review',
      'strategy_discussion',
    ]);
  });

  it('the Prevention Interview cancels only its own notices', () => {
    const changes = noticeChanges(stateAfter(3), stateAfter(4)!, towerHamlets);
    expect(changes.create).toEqual([]);
    expect(changes.cancel.map((n) => n.deadlineKind)).toEqual([
      'prevention_interview',
      'prevention_interview',
    ]);
  });

  it('an RHI offer changes nothing; its completion cancels the RHI notices', () => {
    expect(noticeChanges(stateAfter(4), stateAfter(5)!, towerHamlets)).toEqual({ create: [], cancel: [] });
    const changes = noticeChanges(stateAfter(5), stateAfter(6)!, towerHamlets);
    expect(changes.cancel.map((n) => n.notice)).toEqual(['reminder', 'reminder', 'escalation']);
  });

  it('a corrected return time moves the deadlines: old notices cancelled, new ones created', () => {
    const corrected = parsedEvent(
      'missing.found',
      { episodeRef: ref, foundAt: '2026-10-24T07:00:00+01:00' },
      { time: '2026-10-24T10:00:00+01:00' },
    );
    const after = foldEpisode([...events.slice(0, 3), corrected], { council: towerHamlets })!;
    const changes = noticeChanges(stateAfter(3), after, towerHamlets);
    expect(changes.cancel).toHaveLength(5);
    expect(changes.create.map((n) => n.dueAt)).toContain('2026-10-27T06:00:00.000Z');
  });

  it('a withdrawal cancels every notice', () => {
    const withdrawn = parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'error' });
    const after = foldEpisode([...events.slice(0, 3), withdrawn], { council: towerHamlets })!;
    expect(noticeChanges(stateAfter(3), after, towerHamlets).cancel).toHaveLength(5);
  });

  it('notice keys are distinct, short and safe for a Scheduler name beside a UUID', () => {
    const keys = deadlineNotices(stateAfter(3)!, towerHamlets).map(noticeKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(key).toMatch(/^[0-9a-z-]+$/);
      expect(`${crypto.randomUUID()}-${key}`.length).toBeLessThanOrEqual(64);
    }
  });

  it.each(councils)(
    '$id: a reminder goes to the responsible agency, the escalation to managers as well',
    (council) => {
      const notices = deadlineNotices(foldEpisode(events.slice(0, 3), { council })!, council);
      const rhi = notices.filter((n) => n.deadlineKind === 'return_home_interview');
      const policy = council.deadlines.return_home_interview;
      expect(noticeRecipients(rhi[0]!, council).map((r) => r.to)).toEqual([policy.responsible]);
      expect(noticeRecipients(rhi.at(-1)!, council).map((r) => r.to)).toEqual([
        policy.responsible,
        'missing-managers',
        'social-worker',
      ]);
    },
  );

  it('the RHI in B&NES is the Youth Offending Service’s deadline', () => {
    expect(bathNes.deadlines.return_home_interview.responsible).toBe('youth-offending-service');
  });
});

describe('deadline state', () => {
  const rhiOf = (count: number) =>
    stateAfter(count)!.deadlines.find((d) => d.kind === 'return_home_interview')!;
  it('is open before due, overdue after, and met once completed', () => {
    expect(deadlineState(rhiOf(3), '2026-10-27T08:29:00Z')).toBe('open');
    expect(deadlineState(rhiOf(3), '2026-10-27T08:30:00Z')).toBe('overdue');
    expect(deadlineState(rhiOf(6), '2026-11-30T00:00:00Z')).toBe('met');
  });

  it('is met late when the interview came after the deadline', () => {
    const late = parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-28T09:00:00Z' });
    const state = foldEpisode([...events.slice(0, 3), late], { council: towerHamlets })!;
    const rhi = state.deadlines.find((d) => d.kind === 'return_home_interview')!;
    expect(deadlineState(rhi, '2026-10-29T00:00:00Z')).toBe('met_late');
  });
});
