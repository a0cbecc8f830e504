import { describe, expect, it } from 'vitest';
import { type ChildPseudonyms, childPseudonyms } from '../../../shared/children/child-pseudonyms';
import { matchChild } from '../../../shared/children/match-child';
import type { ChildDetails } from '../../../shared/events/event-schemas';
import type { ChildIdentity, RegistryEntry } from '../../../shared/ports';

const KEY = 'a deployment key for the matching tests';
const alex: ChildDetails = {
  givenName: 'Alex',
  familyName: 'Example',
  dateOfBirth: '2011-05-14',
  lookedAfter: false,
  identifiers: { nhsNumber: '9434765919', upn: 'B801200005001', localId: 'LBTH-1' },
};
const sam: ChildDetails = {
  givenName: 'Sam',
  familyName: 'Other',
  dateOfBirth: '2012-01-02',
  lookedAfter: false,
};

const keyOf = (report: ChildPseudonyms, kind: string) =>
  report.identifiers.find((i) => i.kind === kind)?.key ?? '';
const entry = (childId: string, episodeRef: string): RegistryEntry => ({
  childId,
  episodeId: `episode-${episodeRef}`,
  episodeRef,
});
/** The identity the registry would hold of a child first reported as `child`. */
const identityOf = (child: ChildDetails): ChildIdentity => {
  const report = childPseudonyms(KEY, child);
  const identity: ChildIdentity = { born: [report.born] };
  for (const { kind, key } of report.identifiers) identity[kind] = [key];
  return identity;
};

describe('pseudonyms', () => {
  it('are the same for the same child however the name is written, and hold none of their details', () => {
    const report = childPseudonyms(KEY, alex);
    const again = childPseudonyms(KEY, {
      ...alex,
      givenName: 'ALEX',
      familyName: 'exámple',
      identifiers: { nhsNumber: '943 476 5919', upn: 'b801200005001', localId: 'LBTH-1' },
    });
    expect(again).toEqual(report);
    const text = JSON.stringify(report);
    for (const detail of ['9434765919', 'B801200005001', 'LBTH-1', 'example', '2011-05-14']) {
      expect(text.toLowerCase()).not.toContain(detail.toLowerCase());
    }
  });

  it('differ under another deployment key, so nobody without the key can recompute them', () => {
    const here = childPseudonyms(KEY, alex);
    const there = childPseudonyms('another deployment key, 32+ characters', alex);
    expect(there.identifiers.map((i) => i.key)).not.toEqual(here.identifiers.map((i) => i.key));
    expect(there.newChildId).not.toBe(here.newChildId);
  });
});

describe('the matching rules', () => {
  const report = childPseudonyms(KEY, alex);

  it('makes a new child of a report none of whose identifiers is known, and records them all', () => {
    expect(matchChild({ report, entries: {} })).toEqual({
      childId: report.newChildId,
      record: { identifiers: report.identifiers, born: report.born },
    });
  });

  it('adopts a child stored before the registry when none of its identifiers is known', () => {
    expect(matchChild({ report, entries: {}, adopt: 'legacy-child' }).childId).toBe('legacy-child');
  });

  it('finds the child through any one identifier and adds the others to them', () => {
    const byUpn = { [keyOf(report, 'upn')]: entry('child-a', 'SCH-1') };
    const match = matchChild({ report, entries: byUpn, identity: { upn: [keyOf(report, 'upn')] } });
    expect(match).toEqual({
      childId: 'child-a',
      record: { identifiers: report.identifiers, born: report.born },
    });
  });

  it('joins the child the strongest identifier names when two children are named, adds nothing of the other, and asks a person', () => {
    const entries = {
      [keyOf(report, 'nhs')]: entry('child-a', 'HEALTH-1'),
      [keyOf(report, 'person')]: entry('child-b', 'MPS-9'),
    };
    const match = matchChild({ report, entries, identity: { nhs: [keyOf(report, 'nhs')] } });
    expect(match.childId).toBe('child-a');
    expect(match.record.identifiers.map((i) => i.kind)).toEqual(['nhs', 'upn', 'local']);
    expect(match.review).toEqual({
      reason: 'two-children',
      decidedBy: 'nhs',
      conflicting: ['person'],
      other: { episodeId: 'episode-MPS-9', episodeRef: 'MPS-9' },
      key: 'child-a:child-b',
    });
  });

  it('makes another child of a report whose NHS number differs from the child its name found, and asks a person', () => {
    const entries = { [keyOf(report, 'person')]: entry('child-a', 'MPS-1') };
    const other = childPseudonyms(KEY, { ...alex, identifiers: { nhsNumber: '4010232137' } });
    const match = matchChild({ report, entries, identity: { nhs: [keyOf(other, 'nhs')] } });
    expect(match.childId).toBe(report.newChildId);
    expect(match.record.identifiers.map((i) => i.kind)).toEqual(['nhs', 'upn', 'local']);
    expect(match.review).toMatchObject({
      reason: 'kept-apart',
      decidedBy: 'nhs',
      conflicting: ['person'],
      other: { episodeRef: 'MPS-1' },
      key: [report.newChildId, 'child-a'].sort().join(':'),
    });
  });

  it('joins the child its NHS number names though its UPN differs, without adding that UPN', () => {
    const entries = { [keyOf(report, 'nhs')]: entry('child-a', 'HEALTH-1') };
    const match = matchChild({
      report,
      entries,
      identity: { nhs: [keyOf(report, 'nhs')], upn: ['another-upn'], born: [report.born] },
    });
    expect(match.childId).toBe('child-a');
    expect(match.record.identifiers.map((i) => i.kind)).toEqual(['nhs', 'local', 'person']);
    expect(match.review).toMatchObject({
      reason: 'identifier-differs',
      decidedBy: 'nhs',
      conflicting: ['upn'],
      key: 'child-a:identifier-differs',
    });
  });

  it('joins the child a strong identifier names though the date of birth differs, adding neither it nor the name', () => {
    const firstReport = { ...alex, dateOfBirth: '2011-05-15' };
    const entries = { [keyOf(report, 'nhs')]: entry('child-a', 'HEALTH-1') };
    const match = matchChild({ report, entries, identity: identityOf(firstReport) });
    expect(match.childId).toBe('child-a');
    expect(match.record).toEqual({ identifiers: report.identifiers.filter((i) => i.kind !== 'person') });
    expect(match.review).toMatchObject({ reason: 'born-differs', decidedBy: 'nhs', conflicting: [] });
  });

  it("keeps a report sent under a known ref with that episode's child, asking a person when it names another", () => {
    const entries = { [keyOf(report, 'upn')]: entry('child-b', 'SCH-3') };
    const match = matchChild({ report, entries, episodeChild: 'child-a' });
    expect(match.childId).toBe('child-a');
    expect(match.record.identifiers.map((i) => i.kind)).toEqual(['nhs', 'local', 'person']);
    expect(match.review).toMatchObject({
      reason: 'two-children',
      decidedBy: 'episodeRef',
      conflicting: ['upn'],
    });
  });

  it('never finds a child through a name and date of birth that differ from theirs in any letter', () => {
    const other = childPseudonyms(KEY, {
      ...sam,
      givenName: 'Alexander',
      familyName: 'Example',
      dateOfBirth: alex.dateOfBirth,
    });
    expect(keyOf(other, 'person')).not.toBe(keyOf(report, 'person'));
  });

  it('names a conflict between two children the same whichever of them the report joined', () => {
    const a = matchChild({
      report,
      entries: {
        [keyOf(report, 'nhs')]: entry('child-a', 'A'),
        [keyOf(report, 'person')]: entry('child-b', 'B'),
      },
    });
    const b = matchChild({
      report,
      entries: {
        [keyOf(report, 'nhs')]: entry('child-b', 'B'),
        [keyOf(report, 'person')]: entry('child-a', 'A'),
      },
    });
    expect(a.review?.key).toBe(b.review?.key);
  });
});
