import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { councilIds, councilsDir, loadCouncilFile } from '../../../infra/councils/council-files';
import { councilAsBundled, councilFromEnv, packCouncil } from '../../../shared/config/council-from-env';
import { webhookSources } from '../../../shared/council/council-schema';
import {
  assertReadyToSend,
  parseCouncil,
  placeholderInboxes,
  placeholderPhones,
} from '../../../shared/council/load-council';
import { detailCategories } from '../../../shared/events/detail-categories';
import { bathNes, councils, deployable, towerHamlets } from '../../support/councils';

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
      Object.entries(webhookSources(council)).map(([id, s]) => [id, s.events.length]),
    );
    // The police, the schools, the RHI provider, and the council's own social care system.
    expect(Object.values(sources)).toEqual([10, 2, 3, 7]);
    expect(council.sources.schools?.events).toEqual(['missing.reported', 'absence.reported']);
    expect(council.sources['childrens-social-care']).toMatchObject({
      agency: council.roles.socialCare,
      events: [
        'strategy_discussion.held',
        'referral.acknowledged',
        'missing.reviewed',
        'absence.safety_confirmed',
        'rhi.offered',
        'rhi.completed',
        'rhi.declined',
      ],
    });
    expect(council.timeZone).toBe('Europe/London');
  });

  it.each(councils)(
    '$id lets the agency responsible for each step record it from the links in its emails',
    (council) => {
      const { roles } = council;
      const emailSources = Object.entries(council.sources).filter(([id]) => id.startsWith('email:'));
      expect(Object.fromEntries(emailSources.map(([id, s]) => [id, s.events]))).toEqual({
        [`email:${roles.police}`]: ['prevention_interview.completed', 'missing.risk_assessed'],
        [`email:${roles.rhiProvider}`]: ['rhi.completed', 'rhi.declined'],
        [`email:${roles.socialCare}`]: [
          'missing.reviewed',
          'strategy_discussion.held',
          'absence.safety_confirmed',
        ],
        [`email:${roles.dutyAndAssessment}`]: ['referral.acknowledged'],
      });
      for (const [id, source] of emailSources) expect(id).toBe(`email:${source.agency}`);
    },
  );

  it.each(councils)(
    '$id tracks every kind of deadline, each saying where its figures come from',
    (council) => {
      for (const policy of Object.values(council.deadlines)) {
        expect(policy?.basis?.from).toMatch(/^(the guide|statutory guidance)$/);
      }
      expect(Object.keys(council.deadlines)).toHaveLength(7);
      expect(council.deadlines.referral_acknowledgement?.escalateTo).toContainEqual(
        expect.objectContaining({ to: council.contacts.outOfHours }),
      );
      expect(council.deadlines.referral_acknowledgement?.escalateTo).toContainEqual(
        expect.objectContaining({ to: 'referrer' }),
      );
    },
  );

  it('reads a council file packed as a bundle carries it, or as plain JSON', () => {
    const packed = packCouncil(bathNes);
    expect(packed.length).toBeLessThan(JSON.stringify(bathNes).length / 2);
    // Each rule's why and each deadline's basis are for people only: the bundles leave them out.
    expect(councilFromEnv({ COUNCIL_CONFIG: packed })).toEqual(councilAsBundled(bathNes));
    expect(councilAsBundled(bathNes).deadlines.strategy_discussion).not.toHaveProperty('basis');
    expect(councilAsBundled(bathNes).routing.some((rule) => 'why' in rule)).toBe(false);
    expect(councilFromEnv({ COUNCIL_CONFIG: JSON.stringify(bathNes) })).toEqual(bathNes);
  });

  it('refuses a council file with a routing rule that does not say why it exists, naming the rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'councils-'));
    const raw = JSON.parse(readFileSync(join(councilsDir, 'bath-ne-somerset.json'), 'utf8'));
    delete raw.routing[2].why;
    writeFileSync(join(dir, 'bath-ne-somerset.json'), JSON.stringify(raw));
    expect(() => loadCouncilFile('bath-ne-somerset', dir)).toThrow(/routing\.2\.why/);
    rmSync(dir, { recursive: true });
  });

  it('a production build refuses placeholder inboxes, naming each', () => {
    expect(placeholderInboxes(towerHamlets)).toContain('agencies.met-police.inbox');
    expect(placeholderInboxes(towerHamlets)).not.toContain('agencies.exploitation-service.inbox');
    expect(() => assertReadyToSend(towerHamlets, 'production')).toThrow(/agencies\.met-police\.inbox/);
    expect(() =>
      councilFromEnv({ COUNCIL_CONFIG: JSON.stringify(towerHamlets), STAGE: 'production' }),
    ).toThrow(/placeholder inboxes/);
    expect(councilFromEnv({ COUNCIL_CONFIG: JSON.stringify(towerHamlets), STAGE: 'local' }).id).toBe(
      'tower-hamlets',
    );
  });

  it('a production build refuses a placeholder phone number (an Ofcom drama number), naming each', () => {
    for (const council of councils) {
      const outOfHours = council.contacts.outOfHours;
      expect(placeholderPhones(council)).toContain(`agencies.${outOfHours}.phones.0`);
      expect(() => assertReadyToSend(council, 'production')).toThrow(
        new RegExp(`agencies\\.${outOfHours}\\.phones\\.0`),
      );
    }
    expect(placeholderPhones(bathNes)).not.toContain('agencies.duty-and-assessment.phones.0');
    expect(placeholderInboxes(bathNes)).toContain('sources.youth-offending-service.safeguardingLead');
  });

  it.each(councils)('$id with real inboxes and numbers everywhere is production ready', (council) => {
    expect(assertReadyToSend(parseCouncil(deployable(council)), 'production').id).toBe(council.id);
  });

  it.each(councils)('$id never gives a school or Early Help a special-category detail', (council) => {
    for (const role of ['schools', 'earlyHelp'] as const) {
      const broken = clone(council);
      broken.agencies[council.roles[role]]!.details.push('health');
      expect(() => parseCouncil(broken)).toThrow(
        new RegExp(`agencies\\.${council.roles[role]}\\.details: special-category details never go to`),
      );
    }
  });

  it('refuses a rule whose condition would tell an agency a category of detail it does not hold', () => {
    const broken = clone(towerHamlets);
    const bullying = broken.routing.findIndex((rule) => rule.id === 'bullying');
    broken.routing[bullying]!.when.riskFactors = ['bullying', 'pregnancy_or_fear_of_pregnancy'];
    expect(() => parseCouncil(broken)).toThrow(
      new RegExp(`routing\\.${bullying}\\.notify\\.0\\.to: education-safeguarding does not hold pregnancy`),
    );
  });

  it('refuses one link under two names, and a recording agency where no event is recorded', () => {
    const broken = clone(bathNes);
    broken.protocol.url = broken.contacts.requestForServiceUrl;
    broken.deadlines.prevention_interview.escalateTo = ['recording-agency'];
    expect(() => parseCouncil(broken)).toThrow(
      /protocol\.url: the protocol and the Request for Service form/,
    );
    expect(() => parseCouncil(broken)).toThrow(
      /deadlines\.prevention_interview\.escalateTo\.0: only an event/,
    );
  });

  it('refuses an email source not named after its agency, allowed an event that is no step, or never receipted', () => {
    const broken = clone(towerHamlets);
    const police = broken.sources['email:met-police']!;
    broken.sources['email:the-police'] = { ...police };
    broken.sources['email:met-police'] = { ...police, events: ['missing.found', 'rhi.completed'] };
    const receipt = broken.routing.find((rule) => rule.id === 'email-link-receipt')!;
    receipt.on = receipt.on.filter((type) => type !== 'rhi.completed');
    expect(() => parseCouncil(broken)).toThrow(
      /sources\.email:the-police: an email source is named after its council agency: email:met-police/,
    );
    expect(() => parseCouncil(broken)).toThrow(
      /sources\.email:met-police\.events\.0: missing\.found is not a step a link records/,
    );
    expect(() => parseCouncil(broken)).toThrow(
      /sources\.email:met-police\.events\.1: no rule receipts rhi\.completed from a link to its recording-agency/,
    );
  });

  it('leaves the email sources out of the webhook sources: they have no secret and no route', () => {
    expect(webhookSources(towerHamlets)).not.toHaveProperty('email:met-police');
    expect(Object.keys(webhookSources(towerHamlets))).toEqual([
      'met-police',
      'schools',
      'exploitation-team',
      'childrens-social-care',
    ]);
  });

  it.each(councils)(
    '$id ships with a placeholder sending domain and test inbox, which staging refuses',
    (council) => {
      expect(council.email.testInbox?.placeholder).toBe(true);
      expect(() => assertReadyToSend(council, 'staging')).toThrow(
        /email\.from \(a placeholder sending domain\)\n {2}email\.testInbox \(a placeholder\)/,
      );
      expect(() => councilFromEnv({ COUNCIL_CONFIG: JSON.stringify(council), STAGE: 'staging' })).toThrow(
        /cannot send from a staging stack/,
      );
      const ready = deployable(council);
      expect(assertReadyToSend({ ...ready, agencies: council.agencies }, 'staging').id).toBe(council.id);
    },
  );

  it.each(councils)(
    "$id's fallback for refused addresses is an agency that holds every category of detail",
    (council) => {
      expect(council.agencies[council.roles.fallback]?.details).toEqual(
        expect.arrayContaining([...detailCategories]),
      );
      const broken = clone(council);
      broken.roles.fallback = broken.roles.managers;
      expect(() => parseCouncil(broken)).toThrow(
        /roles\.fallback: the fallback agency .* every category of detail/,
      );
      broken.roles.fallback = 'nobody';
      expect(() => parseCouncil(broken)).toThrow(/roles\.fallback: no agency "nobody"/);
    },
  );

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

  it('refuses a strategy discussion reminder before the child has been missing long enough', () => {
    const broken = clone(towerHamlets);
    broken.deadlines.strategy_discussion!.hours = 100;
    broken.deadlines.strategy_discussion!.remindBeforeHours = [80];
    expect(() => parseCouncil(broken)).toThrow(/deadlines\.strategy_discussion\.remindBeforeHours\.0/);
  });

  it('refuses a referrer anywhere but an acknowledgement, and a deadline a routing rule names but the council lacks', () => {
    const broken = clone(towerHamlets);
    broken.deadlines.manager_review!.escalateTo = ['referrer'];
    delete broken.deadlines.safety_check;
    expect(() => parseCouncil(broken)).toThrow(
      /deadlines\.manager_review\.escalateTo\.0: only an acknowledgement deadline has a referrer/,
    );
    expect(() => parseCouncil(broken)).toThrow(/notify\.0\.by: no safety_check deadline in deadlines/);
  });

  it('a council without the newer deadlines still parses, and tracks only the interviews', () => {
    const lean = clone(bathNes);
    for (const kind of [
      'manager_review',
      'head_of_service_review',
      'strategy_discussion',
      'safety_check',
      'referral_acknowledgement',
    ] as const) {
      delete lean.deadlines[kind];
    }
    for (const rule of lean.routing)
      for (const n of rule.notify) if (n.by !== undefined && !n.by.includes('interview')) delete n.by;
    expect(Object.keys(parseCouncil(lean).deadlines)).toEqual([
      'prevention_interview',
      'return_home_interview',
    ]);
  });
});
