import { describe, expect, it } from 'vitest';
import { councilIds, loadCouncilFile } from '../../../infra/councils/council-files';
import { councilFromEnv } from '../../../shared/config/council-from-env';
import {
  assertProductionReady,
  parseCouncil,
  placeholderInboxes,
} from '../../../shared/council/load-council';
import { bathNes, councils, towerHamlets } from '../../support/councils';

const clone = <T>(value: T): T => structuredClone(value);

describe('council files', () => {
  it('ships Tower Hamlets and Bath and North East Somerset', () => {
    expect(councilIds()).toEqual(['bath-ne-somerset', 'tower-hamlets']);
    expect(loadCouncilFile('tower-hamlets').policeForce).toBe('Metropolitan Police');
    expect(loadCouncilFile('bath-ne-somerset').policeForce).toBe('Avon and Somerset Constabulary');
  });

  it('carry what each guide names', () => {
    expect(towerHamlets.agencies[towerHamlets.roles.rhiProvider]?.inbox).toEqual({
      address: 'exploitation.team@towerhamlets.gov.uk',
      placeholder: false,
    });
    expect(towerHamlets.protocol.name).toBe('LBTH Missing Protocol 2022');
    expect(bathNes.agencies[bathNes.roles.rhiProvider]?.name).toBe('B&NES Youth Offending Service');
    expect(bathNes.agencies[bathNes.roles.dutyAndAssessment]?.phones).toEqual([
      '01225 396312',
      '01225 396313',
    ]);
    expect(bathNes.contacts.requestForServiceUrl).toBe(
      'https://www.bathnes.gov.uk/services/children-young-people-and-families/child-protection',
    );
  });

  it.each(councils)('$id lists the sources of the design with the event types each may send', (council) => {
    const sources = Object.fromEntries(
      Object.entries(council.sources).map(([id, s]) => [id, s.events.length]),
    );
    expect(Object.values(sources)).toEqual([9, 2, 3]);
    expect(council.sources.schools?.events).toEqual(['missing.reported', 'absence.reported']);
    expect(council.timeZone).toBe('Europe/London');
  });

  it('a production build refuses placeholder inboxes, naming each', () => {
    expect(placeholderInboxes(towerHamlets)).toContain('agencies.met-police.inbox');
    expect(placeholderInboxes(towerHamlets)).not.toContain('agencies.exploitation-service.inbox');
    expect(() => assertProductionReady(towerHamlets)).toThrow(/agencies\.met-police\.inbox/);
    expect(() =>
      councilFromEnv({ COUNCIL_CONFIG: JSON.stringify(towerHamlets), STAGE: 'production' }),
    ).toThrow(/placeholder inboxes/);
    expect(councilFromEnv({ COUNCIL_CONFIG: JSON.stringify(towerHamlets), STAGE: 'local' }).id).toBe(
      'tower-hamlets',
    );
  });

  it('a council with real inboxes everywhere is production ready', () => {
    const real = clone(towerHamlets);
    for (const agency of Object.values(real.agencies)) {
      agency.inbox = { address: agency.inbox.address.replace(/\.invalid$/, '.gov.uk'), placeholder: false };
    }
    real.email.from = { address: 'missing@towerhamlets.gov.uk', placeholder: false };
    expect(assertProductionReady(parseCouncil(real)).id).toBe('tower-hamlets');
  });

  it('names the field that is wrong', () => {
    const broken = clone(towerHamlets) as unknown as Record<string, unknown>;
    (broken.routing as { notify: { to: string }[] }[])[0]!.notify[0]!.to = 'nobody';
    broken.timeZone = 'Mars/Olympus';
    expect(() => parseCouncil(broken)).toThrow(/routing\.0\.notify\.0\.to: no agency "nobody"/);
    expect(() => parseCouncil(broken)).toThrow(/timeZone/);
  });

  it('marks a placeholder only on the .invalid domain', () => {
    const broken = clone(towerHamlets);
    broken.agencies['met-police']!.inbox = { address: 'mispers@met.police.uk', placeholder: true };
    expect(() => parseCouncil(broken)).toThrow(/agencies\.met-police\.inbox\.placeholder/);
  });

  it('refuses a reminder that would fall before the return', () => {
    const broken = clone(bathNes);
    broken.deadlines.return_home_interview.remindBeforeHours = [80];
    expect(() => parseCouncil(broken)).toThrow(/deadlines\.return_home_interview\.remindBeforeHours\.0/);
  });
});
