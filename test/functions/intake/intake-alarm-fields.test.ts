import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { createIntakeHandler } from '../../../functions/intake/intake-handler';
import { EnvSecretSource, sourceSecretVariable } from '../../../shared/adapters/env-secret-source';
import { towerHamlets } from '../../support/councils';
import { reportData, wireEvent } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { testPseudonymKey } from '../../support/pseudonym-key';
import { newSecret, signedRequest } from './signed-request';

/** The intake with in-memory ports and a logger to watch: the fields the operators' alarms count. */
const intake = (store = new MemoryEpisodeStore()) => {
  const secret = newSecret();
  const logger = new Logger({ serviceName: 'intake-test', logLevel: 'SILENT' });
  const handle = createIntakeHandler({
    store,
    secrets: new EnvSecretSource({ [sourceSecretVariable('met-police')]: secret }),
    pseudonymKey: testPseudonymKey,
    clock: { now: () => new Date().toISOString() },
    council: towerHamlets,
    logger,
  });
  return { handle, logger, secret };
};

const report = wireEvent('missing.reported', reportData('MPS-1'), { id: 'evt-report' });

describe("the intake's logs, as the operators' alarms count them", () => {
  it('a refused delivery is logged with deliveryRefused, its source and status: the per-source alarm counts it', async () => {
    const { handle, logger } = intake();
    const warn = vi.spyOn(logger, 'warn');
    const answer = await handle(signedRequest('met-police', report, { secret: newSecret() }));
    expect(answer.statusCode).toBe(401);
    expect(warn).toHaveBeenCalledWith(
      'event refused',
      expect.objectContaining({ deliveryRefused: true, sourceId: 'met-police', status: 401 }),
    );
  });

  it('a failure answered 500 is logged with intakeFailed, which Lambda’s Errors alarm would never see', async () => {
    const store = new MemoryEpisodeStore();
    store.commit = async () => {
      throw Object.assign(new Error('DynamoDB unavailable'), { name: 'ServiceUnavailable' });
    };
    const { handle, logger, secret } = intake(store);
    const error = vi.spyOn(logger, 'error');
    const answer = await handle(signedRequest('met-police', report, { secret }));
    expect(answer.statusCode).toBe(500);
    expect(error).toHaveBeenCalledWith(
      'event not processed',
      expect.objectContaining({ intakeFailed: true, sourceId: 'met-police' }),
    );
  });
});
