import { describe, expect, it } from 'vitest';
import { admitEvent } from '../../../shared/episode/admit-event';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { towerHamlets } from '../../support/councils';
import { fullEpisode, parsedEvent as parsedEventAt, reportData } from '../../support/events';

const ref = 'MPS-2026-0001';
const now = '2026-10-28T12:00:00Z';
/** Events sent at this test's "now" unless said otherwise (the envelope time must not be in the future). */
const parsedEvent: typeof parsedEventAt = (type, data, options = {}) =>
  parsedEventAt(type, data, { time: now, ...options });
const zone = 'Europe/London';
const stateOf = (count: number) => foldEpisode(fullEpisode(ref).slice(0, count), { council: towerHamlets });

describe('admitting an event', () => {
  it('a report about someone 18 or over is refused with a clear reason', () => {
    const report = parsedEvent(
      'missing.reported',
      reportData(ref, {
        child: { givenName: 'Sam', familyName: 'Example', dateOfBirth: '2008-10-22' },
        lastSeenAt: '2026-10-22T18:00:00+01:00',
      }),
    );
    const error = admitEvent(report, undefined, now, zone);
    expect(error).toMatchObject({ kind: 'unprocessable', issues: [{ field: 'data.child.dateOfBirth' }] });
    expect(error?.detail).toMatch(/18 or over.*under 18/);
    expect(JSON.stringify(error)).not.toContain('2008-10-22');
  });

  it('a child one day short of 18 is accepted', () => {
    const report = parsedEvent(
      'missing.reported',
      reportData(ref, {
        child: { givenName: 'Sam', familyName: 'Example', dateOfBirth: '2008-10-23' },
        lastSeenAt: '2026-10-22T18:00:00+01:00',
      }),
    );
    expect(admitEvent(report, undefined, now, zone)).toBeUndefined();
  });

  it('refuses a date of birth after the child was last seen', () => {
    const report = parsedEvent(
      'missing.reported',
      reportData(ref, { child: { givenName: 'A', familyName: 'B', dateOfBirth: '2026-11-01' } }),
    );
    expect(admitEvent(report, undefined, now, zone)).toMatchObject({ kind: 'unprocessable' });
  });

  it('refuses a time in the future beyond clock skew', () => {
    const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-28T12:10:00Z' });
    expect(admitEvent(found, stateOf(2), now, zone)).toMatchObject({
      kind: 'unprocessable',
      issues: [{ field: 'data.foundAt', message: expect.stringMatching(/^is in the future/) }],
    });
  });

  it('applies the same rule to the envelope time, and names every time in the future', () => {
    const sentAhead = (time: string, assessedAt = '2026-10-28T11:00:00Z') =>
      admitEvent(
        parsedEvent('missing.risk_assessed', { episodeRef: ref, riskGrade: 'high', assessedAt }, { time }),
        stateOf(1),
        now,
        zone,
      );
    expect(sentAhead('2026-10-30T12:00:00Z')).toMatchObject({
      kind: 'unprocessable',
      issues: [{ field: 'time', message: 'is in the future: more than 5 minutes after the server clock' }],
    });
    expect(sentAhead('2026-10-28T12:06:00Z', '2026-10-28T12:06:00Z')?.issues?.map((i) => i.field)).toEqual([
      'time',
      'data.assessedAt',
    ]);
    expect(sentAhead('2026-10-28T12:05:00Z', '2026-10-28T12:05:00Z')).toBeUndefined();
  });

  it('lets an RHI appointment be in the future: it is a plan, not something that happened', () => {
    const offered = parsedEvent('rhi.offered', {
      episodeRef: ref,
      offeredAt: '2026-10-28T11:00:00Z',
      appointmentAt: '2026-10-30T11:00:00Z',
    });
    expect(admitEvent(offered, stateOf(3), now, zone)).toBeUndefined();
  });

  it('an event for an episode never reported is a conflict', () => {
    const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-24T09:30:00Z' });
    expect(admitEvent(found, undefined, now, zone)).toMatchObject({ kind: 'conflict' });
  });

  it('an interview before the child is found is a conflict', () => {
    const rhi = parsedEvent('rhi.offered', { episodeRef: ref, offeredAt: '2026-10-24T09:30:00Z' });
    expect(admitEvent(rhi, stateOf(2), now, zone)).toMatchObject({ kind: 'conflict' });
  });

  it('an interview dated before the return is unprocessable', () => {
    const rhi = parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-24T07:00:00Z' });
    expect(admitEvent(rhi, stateOf(3), now, zone)).toMatchObject({
      kind: 'unprocessable',
      issues: [{ field: 'data.declinedAt' }],
    });
  });

  it('a return before the child was last seen is unprocessable', () => {
    const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-22T16:00:00Z' });
    expect(admitEvent(found, stateOf(2), now, zone)).toMatchObject({ kind: 'unprocessable' });
  });

  it('a return home before the child was found, or in the future, is unprocessable', () => {
    const found = (returnedHomeAt: string) =>
      parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-24T09:30:00Z', returnedHomeAt });
    for (const at of ['2026-10-24T09:00:00Z', '2026-10-28T13:00:00Z']) {
      expect(admitEvent(found(at), stateOf(2), now, zone)).toMatchObject({
        kind: 'unprocessable',
        issues: [{ field: 'data.returnedHomeAt' }],
      });
    }
    expect(admitEvent(found('2026-10-24T11:00:00Z'), stateOf(2), now, zone)).toBeUndefined();
  });

  it('a placing authority is only for a looked-after child', () => {
    const report = (lookedAfter: boolean) =>
      parsedEvent(
        'missing.reported',
        reportData(ref, {
          child: { givenName: 'Alex', familyName: 'Example', dateOfBirth: '2011-05-14', lookedAfter },
          placingAuthority: { name: 'Kent County Council', email: 'missing@kent.example' },
        }),
      );
    expect(admitEvent(report(false), undefined, now, zone)).toMatchObject({
      kind: 'unprocessable',
      issues: [{ field: 'data.placingAuthority' }],
    });
    expect(admitEvent(report(true), undefined, now, zone)).toBeUndefined();
  });

  it('nothing more is accepted for a withdrawn episode', () => {
    const withdrawn = foldEpisode(
      [
        ...fullEpisode(ref).slice(0, 1),
        parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'error' }),
      ],
      { council: towerHamlets },
    );
    const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-24T09:30:00Z' });
    expect(admitEvent(found, withdrawn, now, zone)).toMatchObject({ kind: 'conflict' });
  });

  it('an absence has no Return Home Interview', () => {
    const absence = foldEpisode(
      [
        parsedEvent('absence.reported', reportData(ref)),
        parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-23T09:30:00Z' }),
      ],
      { council: towerHamlets },
    );
    const rhi = parsedEvent('rhi.offered', { episodeRef: ref, offeredAt: '2026-10-24T09:30:00Z' });
    expect(admitEvent(rhi, absence, now, zone)).toMatchObject({
      kind: 'conflict',
      issues: [{ field: 'type' }],
    });
  });

  it('the full path is admitted event by event', () => {
    const events = fullEpisode(ref);
    events.forEach((event, i) => {
      const before = foldEpisode(events.slice(0, i), { council: towerHamlets });
      expect(admitEvent(event, before, now, zone)).toBeUndefined();
    });
  });

  describe('the steps recorded while the child is missing, absent or at risk of harm', () => {
    const missing = stateOf(2);
    const absent = foldEpisode([parsedEvent('absence.reported', reportData(ref))], { council: towerHamlets });

    it('a strategy discussion or a review before the child was last seen is refused, naming its time', () => {
      const early = parsedEvent('strategy_discussion.held', {
        episodeRef: ref,
        heldAt: '2026-10-22T10:00:00Z',
        outcome: 'no_further_action',
      });
      expect(admitEvent(early, missing, now, zone)).toMatchObject({
        kind: 'unprocessable',
        issues: [{ field: 'data.heldAt', message: 'is before the child was last seen' }],
      });
      const review = parsedEvent('missing.reviewed', {
        episodeRef: ref,
        reviewedAt: '2026-10-23T10:00:00Z',
        level: 'manager',
      });
      expect(admitEvent(review, missing, now, zone)).toBeUndefined();
    });

    it('a missing episode is not checked on as an absence, nor an absence reviewed as missing', () => {
      const safe = parsedEvent('absence.safety_confirmed', {
        episodeRef: ref,
        confirmedAt: '2026-10-23T10:00:00Z',
      });
      expect(admitEvent(safe, missing, now, zone)).toMatchObject({
        kind: 'conflict',
        issues: [{ field: 'type' }],
      });
      expect(admitEvent(safe, absent, now, zone)).toBeUndefined();
      const review = parsedEvent('missing.reviewed', {
        episodeRef: ref,
        reviewedAt: '2026-10-23T10:00:00Z',
        level: 'head_of_service',
      });
      expect(admitEvent(review, absent, now, zone)).toMatchObject({ kind: 'conflict' });
    });

    it('acknowledging a referral nobody made is a conflict; one awaiting acknowledgement is admitted once', () => {
      const ack = parsedEvent('referral.acknowledged', {
        episodeRef: ref,
        acknowledgedAt: '2026-10-25T12:00:00Z',
        acknowledgedBy: { name: 'Ali Duty' },
      });
      const refusal = admitEvent(ack, stateOf(4), now, zone);
      expect(refusal).toMatchObject({ kind: 'conflict', issues: [{ field: 'type' }] });
      expect(refusal?.detail).toMatch(/no referral is awaiting acknowledgement/);

      const [reported, assessed, returned] = fullEpisode(ref);
      const harm = parsedEvent('prevention_interview.completed', {
        episodeRef: ref,
        completedAt: '2026-10-24T15:00:00+01:00',
        concerns: { riskOfHarm: true, immediateSignificantHarm: true, exploitation: false },
      });
      const referred = [reported, assessed, returned, harm] as PipelineEvent[];
      const awaiting = foldEpisode(referred, { council: towerHamlets });
      expect(admitEvent(ack, awaiting, now, zone)).toBeUndefined();
      const acknowledged = foldEpisode([...referred, ack], { council: towerHamlets });
      expect(admitEvent({ ...ack, id: 'another' }, acknowledged, now, zone)).toMatchObject({
        kind: 'conflict',
      });
    });

    it('refuses a step recorded as done in the future, naming its time', () => {
      const future = parsedEvent('missing.reviewed', {
        episodeRef: ref,
        reviewedAt: '2026-10-28T13:00:00Z',
        level: 'manager',
      });
      expect(admitEvent(future, missing, now, zone)).toMatchObject({
        kind: 'unprocessable',
        issues: [{ field: 'data.reviewedAt' }],
      });
    });
  });
});
