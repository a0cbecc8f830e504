import { describe, expect, it } from 'vitest';
import { councilIds, loadCouncilFile } from '../../../infra/councils/council-files';
import {
  assertProductionReady,
  CouncilConfigError,
  parseCouncil,
  placeholderInboxes,
} from '../../../shared/council/load-council';
import { bathNes, towerHamlets } from '../../support/councils';

describe('council files', () => {
  it('ships Tower Hamlets and Bath and North East Somerset', () => {
    expect(councilIds()).toEqual(['bath-ne-somerset', 'tower-hamlets']);
    expect(loadCouncilFile('tower-hamlets').policeForce).toBe('Metropolitan Police');
    expect(loadCouncilFile('bath-ne-somerset').policeForce).toBe('Avon and Somerset Constabulary');
  });
});
