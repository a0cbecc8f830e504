import { describe, expect, it } from 'vitest';
import { eventsMayRecord } from '../../../shared/actions/action-steps';
import { whyNotWanted } from '../../../shared/actions/record-step';
import { stepForms } from '../../../shared/actions/step-forms';
import { recordableEventTypes, StepKind } from '../../../shared/actions/step-kinds';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { bathNes, councils, towerHamlets } from '../../support/councils';
import { parsedEvent, reportData } from '../../support/events';

const ref = 'STEP-1';
const report = parsedEvent('missing.reported', reportData(ref), { time: '2026-10-22T19:00:00+01:00' });
const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-24T09:30:00+01:00' });
const state = (...events: PipelineEvent[]) => foldEpisode([report, ...events], { council: towerHamlets })!;

describe('which steps a link can record', () => {
  it('has a form for every event a step is recorded with', () => {
    for (const type of recordableEventTypes) expect(stepForms[type], type).toBeDefined();
  });

  it.each(councils)('$id lets each agency record only what its email source allows', (council) => {
    const { roles } = council;
    expect(eventsMayRecord(council, roles.rhiProvider, 'return_home_interview')).toEqual([
      'rhi.completed',
      'rhi.declined',
    ]);
    expect(eventsMayRecord(council, roles.police, 'prevention_interview')).toEqual([
      'prevention_interview.completed',
    ]);
    expect(eventsMayRecord(council, roles.police, 'return_home_interview')).toEqual([]);
    expect(eventsMayRecord(council, roles.schools, 'risk_assessment')).toEqual([]);
    expect(eventsMayRecord(council, roles.dutyAndAssessment, 'referral_acknowledgement')).toEqual([
      'referral.acknowledged',
    ]);
  });

  it('every step is recordable by some agency in both councils', () => {
    for (const council of [towerHamlets, bathNes]) {
      for (const step of StepKind.options) {
        const anyone = Object.keys(council.agencies).some(
          (a) => eventsMayRecord(council, a, step).length > 0,
        );
        expect(anyone, `${council.id} ${step}`).toBe(true);
      }
    }
  });
});

describe('whether a step is still wanted', () => {
  it('is, while its deadline is owed', () => {
    expect(whyNotWanted('return_home_interview', state(found), towerHamlets)).toBeUndefined();
    expect(whyNotWanted('manager_review', state(), towerHamlets)).toBeUndefined();
    expect(whyNotWanted('risk_assessment', state(), towerHamlets)).toBeUndefined();
  });

  it('is not, once met, ended by the return, or withdrawn, and says so', () => {
    const held = parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-25T10:00:00Z' });
    expect(whyNotWanted('return_home_interview', state(found, held), towerHamlets)).toBe(
      'The Return Home Interview is already recorded, on Sun 25 Oct 2026, 10:00 GMT.',
    );
    expect(whyNotWanted('manager_review', state(found), towerHamlets)).toBe(
      "The manager's review is no longer asked for: the child was found on Sat 24 Oct 2026, 09:30 BST.",
    );
    expect(whyNotWanted('risk_assessment', state(found), towerHamlets)).toMatch(
      /no longer recorded as missing/,
    );
    const withdrawn = parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'error' });
    expect(whyNotWanted('prevention_interview', state(found, withdrawn), towerHamlets)).toMatch(/withdrawn/);
  });
});
