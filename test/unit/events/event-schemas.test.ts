import { describe, expect, it } from 'vitest';
import { eventTypes } from '../../../shared/events/event-schemas';
import { claimedEventType, parseEvent } from '../../../shared/events/parse-event';
import { reportData, wireEvent } from '../../support/events';

/** The least each type must accept, from the wire contract in DESIGN.md. */
const minimum = {
  'missing.reported': reportData('MPS-1'),
  'absence.reported': reportData('MPS-1', { reportedBy: 'school' }),
  'missing.risk_assessed': { episodeRef: 'MPS-1', riskGrade: 'medium' },
  'missing.found': { episodeRef: 'MPS-1', foundAt: '2026-10-24T09:30:00+01:00' },
  'prevention_interview.completed': { episodeRef: 'MPS-1', completedAt: '2026-10-24T12:00:00Z' },
  'rhi.offered': { episodeRef: 'MPS-1', offeredAt: '2026-10-24T12:00:00Z' },
  'rhi.completed': {
    episodeRef: 'MPS-1',
    completedAt: '2026-10-25T12:00:00Z',
    setting: 'neutral',
    concerns: { riskOfHarm: false, immediateSignificantHarm: true, exploitation: false },
  },
  'rhi.declined': { episodeRef: 'MPS-1', declinedAt: '2026-10-25T12:00:00Z' },
  'episode.withdrawn': { episodeRef: 'MPS-1', reason: 'reported in error' },
} as const;

describe('the wire contract', () => {
  it.each(eventTypes)('accepts the minimum fields of %s', (type) => {
    const result = parseEvent(wireEvent(type, minimum[type] as never));
    expect(result.ok).toBe(true);
  });

  it.each(eventTypes)('rejects an unknown field in the data of %s, naming it', (type) => {
    const result = parseEvent(wireEvent(type, { ...minimum[type], nickname: 'x' } as never));
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'data' })] });
    expect(result.ok || result.issues[0]?.message).toContain('nickname');
  });

  it('rejects an unknown envelope attribute', () => {
    const result = parseEvent({ ...wireEvent('missing.found', minimum['missing.found']), partitionkey: 'x' });
    expect(result.ok).toBe(false);
    expect(result.ok || result.issues.map((i) => i.message).join()).toContain('partitionkey');
  });

  it('names the path of every failing field', () => {
    const event = wireEvent('missing.reported', {
      ...reportData('MPS-1'),
      child: { givenName: 'Alex', familyName: '', dateOfBirth: '14/05/2011' },
      lastSeenAt: '2026-10-22T18:00:00',
    });
    const result = parseEvent(event);
    expect(result.ok).toBe(false);
    expect(result.ok || result.issues.map((i) => i.field).sort()).toEqual([
      'data.child.dateOfBirth',
      'data.child.familyName',
      'data.lastSeenAt',
    ]);
  });

  it('never echoes the rejected value in an error', () => {
    const event = wireEvent('missing.reported', {
      ...reportData('MPS-1'),
      child: { givenName: 'Zebedee', familyName: 'Quixotic', dateOfBirth: 'Zebedee Quixotic' },
    });
    const result = parseEvent(event);
    expect(JSON.stringify(result)).not.toContain('Zebedee');
  });

  it('requires an offset on every time', () => {
    const result = parseEvent(
      wireEvent('missing.found', { episodeRef: 'MPS-1', foundAt: '2026-10-24T09:30:00' }),
    );
    expect(result.ok || result.issues[0]?.field).toBe('data.foundAt');
  });

  it('reads the legacy "absent" risk grade as very low', () => {
    const result = parseEvent(
      wireEvent('missing.risk_assessed', { episodeRef: 'MPS-1', riskGrade: 'absent' }),
    );
    expect(result.ok && result.value.type === 'missing.risk_assessed' && result.value.data.riskGrade).toBe(
      'very_low',
    );
  });

  it('reports a missing looked-after flag as not looked after', () => {
    const result = parseEvent(wireEvent('missing.reported', reportData('MPS-1')));
    expect(result.ok && result.value.type === 'missing.reported' && result.value.data.child.lookedAfter).toBe(
      false,
    );
  });

  it('reads the claimed type before validation, and only a known one', () => {
    expect(claimedEventType({ type: 'rhi.completed' })).toBe('rhi.completed');
    expect(claimedEventType({ type: 'rhi.done' })).toBeUndefined();
    expect(claimedEventType('nonsense')).toBeUndefined();
  });
});
