import type { PseudonymKey } from '../../shared/ports';

/** The registry's key in tests: any fixed key will do, as nothing outside the test computes with it. */
export const testPseudonymKey: PseudonymKey = {
  key: async () => 'the registry key of the tests, 32+ characters',
};
