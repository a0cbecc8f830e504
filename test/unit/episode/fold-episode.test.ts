import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EpisodeReport, foldEpisode } from '../../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { bathNes, councils, towerHamlets } from '../../support/councils';
import { fullEpisode, parsedEvent, reportData } from '../../support/events';

const context = { council: towerHamlets };
const ref = 'MPS-2026-0001';

describe('the episode fold', () => {
  it('is undefined until the report arrives', () => {
    const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-24T09:30:00+01:00' });
    expect(foldEpisode([found], context)).toBeUndefined();
  });

  it('follows an episode from missing to found to closed', () => {
    const events = fullEpisode(ref);
    expect(foldEpisode(events.slice(0, 2), context)?.status).toBe('missing');
    expect(foldEpisode(events.slice(0, 3), context)?.status).toBe('found');
    expect(foldEpisode(events.slice(0, 5), context)?.status).toBe('found');
    const closed = foldEpisode(events, context);
    expect(closed?.status).toBe('closed');
    expect(closed?.closedAt).toBe('2026-10-26T11:00:00.000Z');
    expect(closed?.preventionInterview).toEqual({
      state: 'completed',
      completedAt: '2026-10-24T14:00:00.000Z',
    });
    expect(closed?.returnHomeInterview).toMatchObject({ state: 'completed', setting: 'neutral' });
  });

  it('keeps what any report of the episode named: a later report without the social worker, school or UPN does not unname them', () => {
    const school = parsedEvent(
      'missing.reported',
      reportData('SCH-1', {
        child: {
          givenName: 'Alex',
          familyName: 'Example',
          dateOfBirth: '2011-05-14',
          lookedAfter: true,
          identifiers: { upn: 'B801200005001', localId: 'LBTH-1' },
        },
        reportedBy: 'school',
        school: { name: 'Mile End Academy', email: 'dsl@school.example' },
        socialWorker: { email: 'sw@council.example' },
      }),
      { id: 'school-1', time: '2026-10-22T19:00:00+01:00' },
    );
    const police = parsedEvent(
      'missing.reported',
      reportData('MPS-1', {
        child: {
          givenName: 'Alex',
          familyName: 'Example',
          dateOfBirth: '2011-05-14',
          identifiers: { nhsNumber: '9434765919', localId: 'MPS-LOCAL-9' },
        },
        reportedBy: 'police',
      }),
      { id: 'police-1', time: '2026-10-22T20:00:00+01:00' },
    );
    const state = foldEpisode([police, school], context);
    expect(state?.socialWorker).toEqual({ email: 'sw@council.example' });
    expect(state?.school).toEqual({ name: 'Mile End Academy', email: 'dsl@school.example' });
    expect(state?.reportedBy).toBe('police');
    // Each identifier as the latest report that gave one; looked after when any report said so.
    expect(state?.child).toMatchObject({
      lookedAfter: true,
      identifiers: { upn: 'B801200005001', nhsNumber: '9434765919', localId: 'MPS-LOCAL-9' },
    });
  });

  it('keeps the risk grade and its history, latest assessment last', () => {
    const events = [
      ...fullEpisode(ref).slice(0, 2),
      parsedEvent(
        'missing.risk_assessed',
        { episodeRef: ref, riskGrade: 'medium', assessedAt: '2026-10-23T08:00:00Z' },
        { time: '2026-10-23T08:01:00Z' },
      ),
    ];
    const state = foldEpisode(events, context);
    expect(state?.riskGrade).toBe('medium');
    expect(state?.riskHistory.map((r) => r.grade)).toEqual(['high', 'medium']);
    expect(state?.riskFactors).toEqual(['criminal_exploitation']);
  });

  it('a duplicate event changes nothing', () => {
    const events = fullEpisode(ref);
    const once = foldEpisode(events, context);
    const twice = foldEpisode([...events, ...events.slice(1, 4)], context);
    expect(twice).toEqual(once);
  });

  it('any shuffle of an episode’s events, with duplicates, gives the same state', () => {
    const events = fullEpisode(ref);
    const expected = foldEpisode(events, context);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }),
        (shuffled: PipelineEvent[]) => {
          expect(foldEpisode(shuffled, context)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any order of any subset of the events folds to the state of that subset', () => {
    const events = fullEpisode(ref);
    fc.assert(
      fc.property(fc.subarray(events), fc.infiniteStream(fc.nat()), (subset, seeds) => {
        const shuffled = [...subset]
          .map((event) => ({ event, key: seeds.next().value as number }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.event);
        expect(foldEpisode(shuffled, context)).toEqual(foldEpisode(subset, context));
      }),
      { numRuns: 200 },
    );
  });

  it('a return at 2026-10-24T09:30 Europe/London has its 72-hour RHI due at the right instant across the end of summer time', () => {
    const state = foldEpisode(fullEpisode(ref, '2026-10-24T09:30:00+01:00').slice(0, 3), context);
    const rhi = state?.deadlines.find((d) => d.kind === 'return_home_interview');
    // 09:30 BST is 08:30 UTC; clocks go back on 25 October, so 72 elapsed hours later it is 08:30 GMT.
    expect(rhi).toEqual({
      kind: 'return_home_interview',
      startsAt: '2026-10-24T08:30:00.000Z',
      dueAt: '2026-10-27T08:30:00.000Z',
      cancelled: false,
    });
  });

  it('the RHI runs 72 hours from when the child got home, when the police say; the Prevention Interview from when found', () => {
    const [report] = fullEpisode(ref);
    const found = parsedEvent('missing.found', {
      episodeRef: ref,
      foundAt: '2026-10-24T09:30:00+01:00',
      returnedHomeAt: '2026-10-24T14:00:00+01:00',
    });
    const state = foldEpisode([report as PipelineEvent, found], context);
    const due = (kind: string) => state?.deadlines.find((d) => d.kind === kind);
    expect(state?.returnedHomeAt).toBe('2026-10-24T13:00:00.000Z');
    expect(due('return_home_interview')).toMatchObject({
      startsAt: '2026-10-24T13:00:00.000Z',
      dueAt: '2026-10-27T13:00:00.000Z',
    });
    expect(due('prevention_interview')).toMatchObject({
      startsAt: '2026-10-24T08:30:00.000Z',
      dueAt: '2026-10-27T08:30:00.000Z',
    });
  });

  it('records an RHI declined by the child as meeting the deadline, by decline', () => {
    const events = [
      ...fullEpisode(ref).slice(0, 3),
      parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-25T10:00:00Z' }),
    ];
    const rhi = foldEpisode(events, context)?.deadlines.find((d) => d.kind === 'return_home_interview');
    expect(rhi).toMatchObject({ metAt: '2026-10-25T10:00:00.000Z', metBy: 'declined' });
    expect(foldEpisode(events, context)?.returnHomeInterview.state).toBe('declined');
  });

  it('a withdrawn episode cancels its deadlines and is never closed', () => {
    const events = [
      ...fullEpisode(ref).slice(0, 3),
      parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'reported in error' }),
    ];
    const state = foldEpisode(events, context);
    expect(state?.status).toBe('withdrawn');
    expect(state?.deadlines.every((d) => d.cancelled)).toBe(true);
    expect(state?.closedAt).toBeUndefined();
  });

  it('an absence has no interview deadlines, only its safety check, and closes when the child is back', () => {
    const report = parsedEvent('absence.reported', reportData(ref, { reportedBy: 'school' }), {
      time: '2026-10-22T19:00:00+01:00',
    });
    expect(foldEpisode([report], context)?.status).toBe('absent');
    const back = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-22T22:00:00+01:00' });
    const state = foldEpisode([report, back], context);
    expect(state).toMatchObject({
      kind: 'absence',
      status: 'closed',
      deadlines: [{ kind: 'safety_check', cancelled: true, cancelledAt: '2026-10-22T21:00:00.000Z' }],
    });
    expect(state?.returnHomeInterview.state).toBe('not_due');
  });

  it('an absence later reported missing becomes a missing episode', () => {
    const absence = parsedEvent('absence.reported', reportData(ref), { time: '2026-10-22T19:00:00+01:00' });
    const missing = parsedEvent('missing.reported', reportData(ref), { time: '2026-10-22T23:00:00+01:00' });
    expect(foldEpisode([missing, absence], context)).toMatchObject({
      kind: 'missing',
      status: 'missing',
      reportedAt: '2026-10-22T18:00:00.000Z',
    });
  });

  describe.each(councils)('repeat missing under $id’s threshold', (council) => {
    const reportedAt = '2026-10-22T18:00:00.000Z';
    const daysBefore = (days: number) => new Date(Date.parse(reportedAt) - days * 86_400_000).toISOString();
    const missing = (...days: number[]) =>
      days.map((d) => ({ reportedAt: daysBefore(d), kind: 'missing' as const }));
    const fold = (otherEpisodes: EpisodeReport[], c = council) =>
      foldEpisode(fullEpisode(ref).slice(0, 1), { council: c, otherEpisodes });

    it('the third report in 90 days marks the child repeat-missing: the count includes it', () => {
      const state = fold(missing(30, 2));
      expect(state).toMatchObject({ episodesInWindow: 3, repeatMissing: true });
    });

    it('a second report in 90 days does not', () => {
      expect(fold(missing(2))).toMatchObject({ episodesInWindow: 2, repeatMissing: false });
    });

    it('episodes older than 90 days do not count', () => {
      expect(fold(missing(91, 30))).toMatchObject({ episodesInWindow: 2, repeatMissing: false });
    });

    it('absences count only where the council file says so', () => {
      const history = [...missing(30), { reportedAt: daysBefore(10), kind: 'absence' as const }];
      expect(council.repeatMissing.countAbsences).toBe(false);
      expect(fold(history)).toMatchObject({ episodesInWindow: 2, repeatMissing: false });
      const counting = { ...council, repeatMissing: { ...council.repeatMissing, countAbsences: true } };
      expect(fold(history, counting)).toMatchObject({ episodesInWindow: 3, repeatMissing: true });
    });

    it('an absence is never itself a repeat episode unless absences count', () => {
      const absence = parsedEvent('absence.reported', reportData(ref), { time: reportedAt });
      const counting = { ...council, repeatMissing: { ...council.repeatMissing, countAbsences: true } };
      const history = missing(30, 2);
      expect(foldEpisode([absence], { council, otherEpisodes: history })).toMatchObject({
        episodesInWindow: 0,
        repeatMissing: false,
      });
      expect(foldEpisode([absence], { council: counting, otherEpisodes: history })).toMatchObject({
        episodesInWindow: 3,
        repeatMissing: true,
      });
    });
  });

  it('uses each council’s own deadline hours', () => {
    const custom = {
      ...bathNes,
      deadlines: {
        ...bathNes.deadlines,
        prevention_interview: { ...bathNes.deadlines.prevention_interview, hours: 24 },
      },
    };
    const state = foldEpisode(fullEpisode(ref).slice(0, 3), { council: custom });
    expect(state?.deadlines.find((d) => d.kind === 'prevention_interview')?.dueAt).toBe(
      '2026-10-25T08:30:00.000Z',
    );
  });
});
