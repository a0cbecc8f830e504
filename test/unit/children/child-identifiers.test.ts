import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  foldName,
  isValidNhsNumber,
  isValidUpn,
  reportIdentifiers,
  upnCheckLetter,
} from '../../../shared/children/child-identifiers';
import { ChildIdentifiers } from '../../../shared/events/event-schemas';

const child = { givenName: 'Zoë', familyName: "O'Brien", dateOfBirth: '2011-05-14', lookedAfter: false };

describe('the NHS number check digit (Modulus 11)', () => {
  it('accepts numbers whose tenth digit is their check digit', () => {
    for (const number of ['9434765919', '4010232137', '1111111111'])
      expect(isValidNhsNumber(number)).toBe(true);
  });

  it('refuses a number with any one digit mistyped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (position, shift) => {
        const digits = [...'9434765919'];
        digits[position] = String((Number(digits[position]) + shift) % 10);
        expect(isValidNhsNumber(digits.join(''))).toBe(false);
      }),
    );
  });

  it('refuses a number whose check digit would be 10, and anything that is not ten digits', () => {
    expect(isValidNhsNumber('1234567890')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('943476591x')).toBe(false);
  });
});

describe('the Unique Pupil Number check letter (DfE)', () => {
  it('accepts a permanent UPN and a temporary one (a letter last) with the right check letter', () => {
    expect(upnCheckLetter('B801200005001')).toBe('B');
    expect(isValidUpn('B801200005001')).toBe(true);
    expect(isValidUpn('U80120000100A')).toBe(true);
    expect(isValidUpn('u80120000100a')).toBe(true);
  });

  it('refuses a wrong check letter, a digit mistyped, and a letter no UPN uses', () => {
    expect(isValidUpn('A801200005001')).toBe(false);
    expect(isValidUpn('B801200005002')).toBe(false);
    expect(isValidUpn('B80120000500I')).toBe(false);
    expect(isValidUpn('B80120000500')).toBe(false);
  });
});

describe('the wire schema of the identifiers', () => {
  const issues = (identifiers: Record<string, string>) =>
    ChildIdentifiers.safeParse(identifiers).error?.issues.map((i) => [i.path.join('.'), i.message]);

  it('stores an NHS number as its digits and a UPN upper-case', () => {
    expect(ChildIdentifiers.parse({ nhsNumber: '943 476 5919', upn: 'b801200005001' })).toEqual({
      nhsNumber: '9434765919',
      upn: 'B801200005001',
    });
  });

  it('names the field and the check that failed, once, never the value', () => {
    expect(issues({ nhsNumber: '9434765918' })).toEqual([
      ['nhsNumber', 'fails the NHS number check digit (Modulus 11): check the number as recorded'],
    ]);
    expect(issues({ upn: 'A801200005001' })).toEqual([
      ['upn', 'fails the Unique Pupil Number check letter (its first character): check the UPN as recorded'],
    ]);
    expect(issues({ nhsNumber: '943-476-5918' })).toEqual([
      ['nhsNumber', 'must be ten digits (spaced 3 3 4, or not at all)'],
    ]);
    expect(issues({ upn: 'I801200005001' })?.map(([field]) => field)).toEqual(['upn']);
  });
});

describe('normalisation', () => {
  it('folds names for case, accents, spaces, hyphens and apostrophes, and nothing else', () => {
    expect(foldName('Zoë')).toBe(foldName('ZOE'));
    expect(foldName("O'Brien")).toBe(foldName('obrien'));
    expect(foldName('Mary-Jane')).toBe(foldName('Mary Jane'));
    expect(foldName('Mary-Jane')).not.toBe(foldName('Mary'));
    // Letters of any alphabet count: two Cyrillic names do not both fold to nothing.
    expect(foldName('Ольга')).not.toBe(foldName('Анна'));
    expect(foldName('Alex')).not.toBe(foldName('Alexander'));
  });

  it('gives a report its identifiers strongest first, the name and date of birth always last', () => {
    const ids = reportIdentifiers({
      ...child,
      identifiers: { nhsNumber: '9434765919', upn: 'b801200005001', localId: ' LBTH-1 ' },
    });
    expect(ids).toEqual([
      { kind: 'nhs', basis: 'nhs:9434765919' },
      { kind: 'upn', basis: 'upn:B801200005001' },
      { kind: 'local', basis: 'local:LBTH-1' },
      { kind: 'person', basis: 'person:obrien:zoe:2011-05-14' },
    ]);
    expect(reportIdentifiers(child)).toEqual([{ kind: 'person', basis: 'person:obrien:zoe:2011-05-14' }]);
  });
});
