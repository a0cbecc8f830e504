import { describe, expect, it } from 'vitest';
import { childId } from '../../../shared/episode/child-identity';

const child = { givenName: 'Zoë', familyName: "O'Brien", dateOfBirth: '2011-05-14', lookedAfter: false };

describe('the child id', () => {
  it('is the same for the same child whatever the accents, case and punctuation of the name', () => {
    expect(childId('tower-hamlets', child)).toBe(
      childId('tower-hamlets', { ...child, givenName: 'ZOE', familyName: 'OBrien' }),
    );
  });

  it('prefers the NHS number to the name', () => {
    const withNhs = { ...child, identifiers: { nhsNumber: '9434765919' } };
    expect(childId('tower-hamlets', withNhs)).toBe(
      childId('tower-hamlets', { ...withNhs, givenName: 'Zoe-Ann', familyName: 'Smith' }),
    );
    expect(childId('tower-hamlets', withNhs)).not.toBe(childId('tower-hamlets', child));
  });

  it('differs between councils and between children, and holds no personal data', () => {
    const id = childId('tower-hamlets', child);
    expect(id).not.toBe(childId('bath-ne-somerset', child));
    expect(id).not.toBe(childId('tower-hamlets', { ...child, dateOfBirth: '2011-05-15' }));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
