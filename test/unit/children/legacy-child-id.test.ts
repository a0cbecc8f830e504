import { describe, expect, it } from 'vitest';
import { legacyChildId } from '../../../shared/children/legacy-child-id';

const child = { givenName: 'Zoë', familyName: "O'Brien", dateOfBirth: '2011-05-14', lookedAfter: false };

describe('the legacy child id (before the registry)', () => {
  it('is the same for the same child whatever the accents, case and punctuation of the name', () => {
    expect(legacyChildId('tower-hamlets', child)).toBe(
      legacyChildId('tower-hamlets', { ...child, givenName: 'ZOE', familyName: 'OBrien' }),
    );
  });

  it('prefers the NHS number to the name', () => {
    const withNhs = { ...child, identifiers: { nhsNumber: '9434765919' } };
    expect(legacyChildId('tower-hamlets', withNhs)).toBe(
      legacyChildId('tower-hamlets', { ...withNhs, givenName: 'Zoe-Ann', familyName: 'Smith' }),
    );
    expect(legacyChildId('tower-hamlets', withNhs)).not.toBe(legacyChildId('tower-hamlets', child));
  });

  it('is byte for byte the id stored before the registry, so stored children are still found', () => {
    // The id the pipeline stored for this child before the registry (a plain SHA-256 anyone could recompute).
    expect(legacyChildId('tower-hamlets', child)).toBe('7daab33e3c10c5381a8f1a89dd7b176f');
  });
});
