import { describe, expect, it } from 'vitest';
import { eventTypes } from '../../../shared/events/event-schemas';
import { claimedEventType, parseEvent } from '../../../shared/events/parse-event';
import { eventExamples } from '../../../shared/openapi/wire-examples';
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
  'strategy_discussion.held': {
    episodeRef: 'MPS-1',
    heldAt: '2026-10-23T10:00:00Z',
    outcome: 'no_further_action',
  },
  'referral.acknowledged': {
    episodeRef: 'MPS-1',
    acknowledgedAt: '2026-10-25T13:00:00Z',
    acknowledgedBy: { name: 'Ali Duty' },
  },
  'missing.reviewed': { episodeRef: 'MPS-1', reviewedAt: '2026-10-23T18:00:00Z', level: 'manager' },
  'absence.safety_confirmed': { episodeRef: 'MPS-1', confirmedAt: '2026-10-22T15:00:00Z' },
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

/** One event of each type with every optional string field filled in, so every string of the contract is here. */
const everyStringField = (): Record<string, unknown>[] => {
  const examples = structuredClone(eventExamples) as Record<string, Record<string, unknown>>;
  const withAll = (type: string, data: Record<string, unknown>) => ({
    ...examples[type],
    datacontenttype: 'application/json',
    subject: 'episode MP/2026/004512',
    data: { ...(examples[type]?.data as object), ...data },
  });
  const child = {
    givenName: 'Sam',
    familyName: 'Example',
    dateOfBirth: '2011-05-14',
    identifiers: { nhsNumber: '9434765919', upn: 'A123456789012', localId: 'LBTH-C-20931' },
  };
  const report = {
    child,
    lastSeenPlace: 'Mile End bus station',
    circumstances: 'Left after an argument at home.',
    school: { name: 'Example Academy', urn: '100123', email: 'office@school.example' },
    socialWorker: { email: 'social.worker@towerhamlets.example' },
  };
  return [
    withAll('missing.reported', report),
    withAll('absence.reported', report),
    withAll('missing.risk_assessed', {}),
    withAll('missing.found', { foundPlace: 'A friend’s flat in Bow' }),
    withAll('prevention_interview.completed', {}),
    withAll('rhi.offered', {}),
    withAll('rhi.completed', {}),
    withAll('rhi.declined', { reason: 'The young person did not want to talk.' }),
    withAll('strategy_discussion.held', {}),
    withAll('referral.acknowledged', {
      acknowledgedBy: { name: 'Ali Duty', phone: '020 7946 0002', email: 'ali.duty@towerhamlets.example' },
    }),
    withAll('missing.reviewed', {}),
    withAll('absence.safety_confirmed', {}),
    withAll('episode.withdrawn', {}),
  ];
};

/** Every string in a value, by its dotted path. */
const stringPaths = (value: unknown, path: string[] = []): string[][] =>
  typeof value === 'string'
    ? [path]
    : typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([key, inner]) => stringPaths(inner, [...path, key]))
      : [];

/** The event with the string at `path` cut in two and `inserted` put between the halves. */
const inject = (event: Record<string, unknown>, path: string[], inserted: string) => {
  const copy = structuredClone(event);
  const parent = path.slice(0, -1).reduce((at, key) => (at as Record<string, unknown>)[key], copy as unknown);
  const key = path.at(-1) as string;
  const value = (parent as Record<string, string>)[key] ?? '';
  const middle = Math.ceil(value.length / 2);
  (parent as Record<string, string>)[key] = `${value.slice(0, middle)}${inserted}${value.slice(middle)}`;
  return copy;
};

/** The free-text notes: the only fields where a tab or a line break is text. */
const NOTES = ['data.circumstances', 'data.reason', 'data.note'];

describe('control characters and broken Unicode in strings', () => {
  const events = everyStringField();
  const cases = events.flatMap((event) =>
    stringPaths(event).map((path) => ({ type: String(event.type), path, field: path.join('.'), event })),
  );

  it('the events used here are valid as they stand, and hold every kind of string field', () => {
    for (const event of events) expect(parseEvent(event)).toMatchObject({ ok: true });
    expect(cases.length).toBeGreaterThan(80);
  });

  it.each([
    ['NUL', '\u0000'],
    ['ESC', '\u001b'],
    ['CR', '\r'],
    ['DEL', '\u007f'],
    ['NEL (C1)', '\u0085'],
    ['CSI (C1)', '\u009b'],
    ['a lone high surrogate', '\ud83d'],
    ['a lone low surrogate', '\ude00'],
    ['a reversed pair', '\ude00\ud83d'],
  ])('refuses %s in every string field, naming that field', (_name, inserted) => {
    for (const { type, path, field, event } of cases) {
      const result = parseEvent(inject(event, path, inserted));
      expect(result.ok ? [] : [...new Set(result.issues.map((i) => i.field))], `${type} ${field}`).toEqual([
        field,
      ]);
    }
  });

  it.each([
    ['a tab', '\t'],
    ['a line feed', '\n'],
    ['CR LF', '\r\n'],
  ])('accepts %s in a free-text note and refuses it in every other string field', (_name, inserted) => {
    for (const { type, path, field, event } of cases) {
      const result = parseEvent(inject(event, path, inserted));
      const refusedFields = result.ok ? [] : [...new Set(result.issues.map((i) => i.field))];
      expect(refusedFields, `${type} ${field}`).toEqual(NOTES.includes(field) ? [] : [field]);
    }
  });

  it('accepts letters of any script, emoji (a surrogate pair) and typographic punctuation', () => {
    const report = events[0] as Record<string, unknown>;
    const named = inject(
      inject(report, ['data', 'child', 'familyName'], 'Ó Néill-Łukasz 😀'),
      ['source'],
      '’',
    );
    expect(parseEvent(named)).toMatchObject({ ok: true });
  });
});
