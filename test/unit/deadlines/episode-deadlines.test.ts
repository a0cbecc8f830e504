import { describe, expect, it } from 'vitest';
import type { CouncilConfig, DeadlineKind } from '../../../shared/council/council-schema';
import {
  type DeadlineNotice,
  deadlineNotices,
  noticeChanges,
  noticeKey,
} from '../../../shared/deadlines/deadline-notices';
import type { EpisodeState } from '../../../shared/episode/episode-state';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { routeNotice } from '../../../shared/routing/route-notice';
import { formatLocal } from '../../../shared/time/instant';
import { councils } from '../../support/councils';
import { episodeRecord, otherSource, policeSource } from '../../support/episode-record';
import { parsedEvent, reportData } from '../../support/events';

/**
 * The deadlines that run while a child is missing or absent and on immediate harm, for both councils,
 * across both clock changes of 2026 (29 March, 01:00 GMT -> BST; 25 October, 02:00 BST -> GMT): each opens,
 * is reminded, escalates and ends exactly when the council file says, in elapsed hours.
 */
const ref = 'DL-1';
/** An event id from its kind and time (an id holds no "+"). */
const idOf = (what: string, at: string) => `${ref}-${what}-${at.replace(/[^A-Za-z0-9_.:-]/g, '_')}`;
const none = { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false };

const report = (lastSeenAt: string, overrides: Parameters<typeof reportData>[1] = {}) =>
  parsedEvent('missing.reported', reportData(ref, { lastSeenAt, ...overrides }), {
    id: `${ref}-report`,
    time: lastSeenAt,
  });
const absence = (lastSeenAt: string) =>
  parsedEvent('absence.reported', reportData(ref, { lastSeenAt, reportedBy: 'school' }), {
    id: `${ref}-absence`,
    time: lastSeenAt,
  });
const found = (at: string, extra: { harmSuspected?: boolean } = {}) =>
  parsedEvent('missing.found', { episodeRef: ref, foundAt: at, ...extra }, { id: `${ref}-found`, time: at });
const graded = (at: string, riskGrade: 'high' | 'medium' = 'high') =>
  parsedEvent('missing.risk_assessed', { episodeRef: ref, riskGrade }, { id: idOf('grade', at), time: at });
const reviewed = (at: string, level: 'manager' | 'head_of_service') =>
  parsedEvent(
    'missing.reviewed',
    { episodeRef: ref, reviewedAt: at, level },
    { id: idOf('rev', at), time: at },
  );
const held = (at: string) =>
  parsedEvent(
    'strategy_discussion.held',
    { episodeRef: ref, heldAt: at, outcome: 'no_further_action' },
    { id: idOf('sd', at), time: at },
  );
const interview = (at: string, immediateSignificantHarm: boolean) =>
  parsedEvent(
    'prevention_interview.completed',
    { episodeRef: ref, completedAt: at, concerns: { ...none, immediateSignificantHarm } },
    { id: idOf('pi', at), time: at },
  );
const rhi = (at: string, concerns = none) =>
  parsedEvent(
    'rhi.completed',
    { episodeRef: ref, completedAt: at, setting: 'neutral', concerns },
    { id: idOf('rhi', at), time: at },
  );
const acknowledged = (at: string) =>
  parsedEvent(
    'referral.acknowledged',
    { episodeRef: ref, acknowledgedAt: at, acknowledgedBy: { name: 'Ali Duty' } },
    { id: idOf('ack', at), time: at },
  );
const withdrawn = (at: string) =>
  parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'in error' }, { id: `${ref}-w`, time: at });

const fold = (council: CouncilConfig, events: PipelineEvent[]) => {
  const state = foldEpisode(events, { council });
  if (!state) throw new Error('no episode');
  return state;
};
const of = (state: EpisodeState, kind: DeadlineKind) => state.deadlines.filter((d) => d.kind === kind);
const only = (state: EpisodeState, kind: DeadlineKind) => {
  const [deadline, ...more] = of(state, kind);
  if (!deadline || more.length > 0) throw new Error(`not one ${kind} deadline`);
  return deadline;
};
/** Each notice of a kind as "reminder@<fire time>" or "escalation@<fire time>". */
const firings = (state: EpisodeState, council: CouncilConfig, kind: DeadlineKind) =>
  deadlineNotices(state, council)
    .filter((n) => n.deadlineKind === kind)
    .map((n) => `${n.notice}@${n.fireAt}`);

describe.each(councils)('$id: while the child is missing', (council) => {
  // Last seen 12:00 BST on Saturday 24 October 2026; the clocks go back that night.
  const lastSeen = '2026-10-24T12:00:00+01:00';

  it('the report opens the manager’s review, due 24 elapsed hours later across the clock change, reminded 4 hours before', () => {
    const review = only(fold(council, [report(lastSeen)]), 'manager_review');
    expect(review).toMatchObject({ startsAt: '2026-10-24T11:00:00.000Z', dueAt: '2026-10-25T11:00:00.000Z' });
    // 24 hours on the clock of someone who lives through the change is 11:00 GMT, not 12:00.
    expect(formatLocal(review.dueAt, council.timeZone)).toBe('Sun 25 Oct 2026, 11:00 GMT');
    expect(firings(fold(council, [report(lastSeen)]), council, 'manager_review')).toEqual([
      'reminder@2026-10-25T07:00:00.000Z',
      'escalation@2026-10-25T11:00:00.000Z',
    ]);
  });

  it('the head of service review is due at 72 hours missing, reminded a day before', () => {
    expect(firings(fold(council, [report(lastSeen)]), council, 'head_of_service_review')).toEqual([
      'reminder@2026-10-26T11:00:00.000Z',
      'escalation@2026-10-27T11:00:00.000Z',
    ]);
  });

  it('a strategy discussion is due 72 hours missing whatever the grade, or 24 hours after a high grade if sooner', () => {
    expect(only(fold(council, [report(lastSeen)]), 'strategy_discussion')).toMatchObject({
      startsAt: '2026-10-24T11:00:00.000Z',
      dueAt: '2026-10-27T11:00:00.000Z',
    });
    const high = fold(council, [report(lastSeen), graded('2026-10-24T20:00:00+01:00')]);
    expect(only(high, 'strategy_discussion')).toMatchObject({
      startsAt: '2026-10-24T19:00:00.000Z',
      dueAt: '2026-10-25T19:00:00.000Z',
    });
    expect(firings(high, council, 'strategy_discussion')).toEqual([
      'reminder@2026-10-25T11:00:00.000Z',
      'escalation@2026-10-25T19:00:00.000Z',
    ]);
    // A medium grade changes nothing; a later high grade does not move a discussion already owed.
    expect(
      only(fold(council, [report(lastSeen), graded(lastSeen, 'medium')]), 'strategy_discussion').dueAt,
    ).toBe('2026-10-27T11:00:00.000Z');
    const twice = fold(council, [
      report(lastSeen),
      graded('2026-10-24T20:00:00+01:00'),
      graded('2026-10-25T09:00:00Z'),
    ]);
    expect(only(twice, 'strategy_discussion').dueAt).toBe('2026-10-25T19:00:00.000Z');
  });

  it('a grade given with the report starts the strategy discussion’s clock at the report', () => {
    const state = fold(council, [report(lastSeen, { riskGrade: 'high' })]);
    expect(only(state, 'strategy_discussion').dueAt).toBe('2026-10-25T11:00:00.000Z');
  });

  it('the return changes the notices in one step: the while-missing ones cancelled, the interviews’ created', () => {
    const before = fold(council, [report(lastSeen), graded('2026-10-24T20:00:00+01:00')]);
    const after = fold(council, [
      report(lastSeen),
      graded('2026-10-24T20:00:00+01:00'),
      found('2026-10-25T06:00:00Z'),
    ]);
    const changes = noticeChanges(before, after, council);
    const kinds = (notices: DeadlineNotice[]) => [...new Set(notices.map((n) => n.deadlineKind))];
    expect(kinds(changes.cancel)).toEqual([
      'manager_review',
      'head_of_service_review',
      'strategy_discussion',
    ]);
    expect(changes.cancel).toHaveLength(deadlineNotices(before, council).length);
    expect(kinds(changes.create)).toEqual(['prevention_interview', 'return_home_interview']);
    for (const kind of ['manager_review', 'head_of_service_review', 'strategy_discussion'] as const) {
      expect(only(after, kind)).toMatchObject({ cancelled: true, cancelledAt: '2026-10-25T06:00:00.000Z' });
    }
    // Nothing that ended with the return keeps the episode open.
    const done = fold(council, [
      ...[report(lastSeen), found('2026-10-25T06:00:00Z')],
      interview('2026-10-25T08:00:00Z', false),
      rhi('2026-10-26T10:00:00Z'),
    ]);
    expect(done.status).toBe('closed');
  });

  it('a child found before a while-missing deadline gets no reminder for it; one found after keeps the record that it was missed', () => {
    const early = fold(council, [report(lastSeen), found('2026-10-25T06:00:00Z')]);
    expect(deadlineNotices(early, council).map((n) => n.deadlineKind)).not.toContain('manager_review');
    const late = fold(council, [report(lastSeen), found('2026-10-26T06:00:00Z')]);
    expect(only(late, 'manager_review')).toMatchObject({
      dueAt: '2026-10-25T11:00:00.000Z',
      cancelled: true,
      cancelledAt: '2026-10-26T06:00:00.000Z',
    });
    expect(firings(late, council, 'manager_review')).toEqual([]);
  });

  it('a manager’s review meets only its own deadline; a head of service’s meets both; a strategy discussion the manager’s too', () => {
    const manager = fold(council, [report(lastSeen), reviewed('2026-10-25T09:00:00Z', 'manager')]);
    expect(only(manager, 'manager_review')).toMatchObject({
      metAt: '2026-10-25T09:00:00.000Z',
      metBy: 'reviewed',
    });
    expect(only(manager, 'head_of_service_review').metAt).toBeUndefined();
    expect(firings(manager, council, 'manager_review')).toEqual([]);

    const senior = fold(council, [report(lastSeen), reviewed('2026-10-25T09:00:00Z', 'head_of_service')]);
    expect(only(senior, 'manager_review').metBy).toBe('reviewed');
    expect(only(senior, 'head_of_service_review').metBy).toBe('reviewed');

    const discussed = fold(council, [report(lastSeen), held('2026-10-25T09:00:00Z')]);
    expect(only(discussed, 'strategy_discussion')).toMatchObject({ metBy: 'held' });
    expect(only(discussed, 'manager_review')).toMatchObject({ metBy: 'held' });
    expect(only(discussed, 'head_of_service_review').metAt).toBeUndefined();
  });

  it('a strategy discussion held late is met late; the escalation it missed is not taken back', () => {
    const state = fold(council, [report(lastSeen, { riskGrade: 'high' }), held('2026-10-25T20:00:00Z')]);
    expect(only(state, 'strategy_discussion')).toMatchObject({
      dueAt: '2026-10-25T11:00:00.000Z',
      metAt: '2026-10-25T20:00:00.000Z',
    });
  });

  it('a high grade recorded after the return opens no strategy discussion', () => {
    const state = fold(council, [
      report(lastSeen),
      found('2026-10-24T18:00:00Z'),
      graded('2026-10-24T20:00:00Z'),
    ]);
    expect(only(state, 'strategy_discussion')).toMatchObject({
      dueAt: '2026-10-27T11:00:00.000Z',
      cancelled: true,
    });
  });

  it('a withdrawal ends every deadline', () => {
    const state = fold(council, [report(lastSeen), withdrawn('2026-10-24T14:00:00Z')]);
    expect(state.deadlines.every((d) => d.cancelled && d.cancelledAt === '2026-10-24T14:00:00.000Z')).toBe(
      true,
    );
    expect(deadlineNotices(state, council)).toEqual([]);
  });

  it('notice keys of every kind stay distinct and fit a Scheduler name beside a UUID', () => {
    const state = fold(council, [report(lastSeen), graded('2026-10-24T20:00:00+01:00')]);
    const keys = deadlineNotices(state, council).map(noticeKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(`${crypto.randomUUID()}-${key}`).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
  });
});

describe.each(councils)('$id: during an absence', (council) => {
  // Last seen 10:00 GMT on Saturday 28 March 2026; the clocks go forward the next night.
  const lastSeen = '2026-03-28T10:00:00Z';

  it('an absence open 24 hours prompts the social worker to confirm the child is safe, and escalates at 48 hours', () => {
    const state = fold(council, [absence(lastSeen)]);
    expect(state.deadlines.map((d) => d.kind)).toEqual(['safety_check']);
    expect(firings(state, council, 'safety_check')).toEqual([
      'reminder@2026-03-29T10:00:00.000Z',
      'escalation@2026-03-30T10:00:00.000Z',
    ]);
    // 48 elapsed hours across the change: 11:00 by the wall clock, an hour "later" than last seen.
    expect(formatLocal(only(state, 'safety_check').dueAt, council.timeZone)).toBe(
      'Mon 30 Mar 2026, 11:00 BST',
    );
  });

  it('is met by the social worker confirming the child is safe, and ended by the child being back', () => {
    const confirmed = parsedEvent(
      'absence.safety_confirmed',
      { episodeRef: ref, confirmedAt: '2026-03-28T15:00:00Z' },
      { id: `${ref}-safe`, time: '2026-03-28T15:00:00Z' },
    );
    expect(only(fold(council, [absence(lastSeen), confirmed]), 'safety_check').metBy).toBe('confirmed');
    const back = fold(council, [absence(lastSeen), found('2026-03-28T20:00:00Z')]);
    expect(only(back, 'safety_check')).toMatchObject({ cancelled: true });
    expect(back.status).toBe('closed');
  });

  it('is no longer owed once the absence is reported as missing: the while-missing deadlines take over', () => {
    const missing = parsedEvent('missing.reported', reportData(ref, { lastSeenAt: lastSeen }), {
      id: `${ref}-missing`,
      time: '2026-03-28T18:00:00Z',
    });
    const state = fold(council, [absence(lastSeen), missing]);
    expect(state.deadlines.map((d) => d.kind)).toEqual([
      'manager_review',
      'head_of_service_review',
      'strategy_discussion',
    ]);
  });
});

describe.each(councils)('$id: an immediate risk of significant harm', (council) => {
  const lastSeen = '2026-10-23T12:00:00Z';
  const returned = [report(lastSeen), found('2026-10-24T09:00:00Z')];

  it('is a referral the Duty and Assessment Team acknowledges within 4 hours of it being recorded, reminded after 2', () => {
    const state = fold(council, [
      ...returned,
      rhi('2026-10-25T23:30:00Z', { ...none, immediateSignificantHarm: true }),
    ]);
    const ack = only(state, 'referral_acknowledgement');
    // Recorded 00:30 BST; due 03:30 GMT: the clocks went back between.
    expect(ack).toMatchObject({ startsAt: '2026-10-25T23:30:00.000Z', dueAt: '2026-10-26T03:30:00.000Z' });
    expect(ack.openedBy).toBe(idOf('rhi', '2026-10-25T23:30:00Z'));
    expect(firings(state, council, 'referral_acknowledgement')).toEqual([
      'reminder@2026-10-26T01:30:00.000Z',
      'escalation@2026-10-26T03:30:00.000Z',
    ]);
  });

  it('opens on a Prevention Interview’s concern or harm suspected on return too, but not on a risk of harm alone', () => {
    const interviewed = fold(council, [...returned, interview('2026-10-24T12:00:00Z', true)]);
    expect(of(interviewed, 'referral_acknowledgement')).toHaveLength(1);
    const harmed = fold(council, [report(lastSeen), found('2026-10-24T09:00:00Z', { harmSuspected: true })]);
    expect(only(harmed, 'referral_acknowledgement').startsAt).toBe('2026-10-24T09:00:00.000Z');
    const lesser = fold(council, [...returned, rhi('2026-10-25T10:00:00Z', { ...none, riskOfHarm: true })]);
    expect(of(lesser, 'referral_acknowledgement')).toEqual([]);
  });

  it('an acknowledgement meets it and cancels its notices; a second concern while one is awaited opens no other', () => {
    const concern = interview('2026-10-24T12:00:00Z', true);
    const again = rhi('2026-10-24T13:00:00Z', { ...none, immediateSignificantHarm: true });
    const awaited = fold(council, [...returned, concern, again]);
    expect(of(awaited, 'referral_acknowledgement')).toHaveLength(1);
    const done = fold(council, [...returned, concern, again, acknowledged('2026-10-24T14:00:00Z')]);
    expect(only(done, 'referral_acknowledgement')).toMatchObject({
      metAt: '2026-10-24T14:00:00.000Z',
      metBy: 'acknowledged',
    });
    expect(noticeChanges(awaited, done, council).cancel.map((n) => n.notice)).toEqual([
      'reminder',
      'escalation',
    ]);
    // A new concern after the acknowledgement is a new referral.
    const later = fold(council, [
      ...returned,
      concern,
      acknowledged('2026-10-24T14:00:00Z'),
      rhi('2026-10-25T10:00:00Z', { ...none, immediateSignificantHarm: true }),
    ]);
    expect(of(later, 'referral_acknowledgement').map((d) => d.metBy)).toEqual(['acknowledged', undefined]);
  });

  it('its escalation goes to the Duty and Assessment Team, its manager, the out-of-hours team and the referrer', () => {
    const rhiSource = otherSource(council, 'rhi.completed');
    const record = episodeRecord(council, [
      ...returned,
      {
        sourceId: rhiSource,
        event: rhi('2026-10-25T10:00:00Z', { ...none, immediateSignificantHarm: true }),
      },
    ]);
    const escalation = deadlineNotices(record.state, council).find(
      (n) => n.deadlineKind === 'referral_acknowledgement' && n.notice === 'escalation',
    );
    if (!escalation) throw new Error('no escalation');
    const told = routeNotice(escalation, record, council);
    const agency = (id: string) => council.agencies[id]?.inbox.address;
    expect(told.map((d) => d.recipient.address)).toEqual([
      agency('duty-and-assessment'),
      agency('duty-and-assessment-manager'),
      agency(council.contacts.outOfHours),
      agency(council.sources[rhiSource]?.agency ?? ''),
    ]);
    expect(told.at(-1)?.action).toContain('No acknowledgement has come from the Duty and Assessment Team');
    // The police recorded it instead: the referrer is the police.
    const byPolice = episodeRecord(council, [
      ...returned,
      { sourceId: policeSource(council), event: interview('2026-10-24T12:00:00Z', true) },
    ]);
    const policeEscalation = deadlineNotices(byPolice.state, council).find(
      (n) => n.deadlineKind === 'referral_acknowledgement' && n.notice === 'escalation',
    );
    expect(routeNotice(policeEscalation as DeadlineNotice, byPolice, council).at(-1)?.recipient.address).toBe(
      agency(council.roles.police),
    );
  });
});
