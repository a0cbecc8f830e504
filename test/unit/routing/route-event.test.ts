import { describe, expect, it } from 'vitest';
import type { CouncilConfig } from '../../../shared/council/council-schema';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { bathNes, towerHamlets } from '../../support/councils';
import { emailsFor, type Sent } from '../../support/episode-record';
import { parsedEvent, reportData } from '../../support/events';

const ref = 'REF-1';
const report = (overrides: Parameters<typeof reportData>[1] = {}) =>
  parsedEvent('missing.reported', reportData(ref, overrides), { time: '2026-10-22T19:00:00+01:00' });
const found = parsedEvent('missing.found', { episodeRef: ref, foundAt: '2026-10-24T09:30:00+01:00' });
const concerns = (
  c: Partial<{ riskOfHarm: boolean; immediateSignificantHarm: boolean; exploitation: boolean }>,
) =>
  parsedEvent('rhi.completed', {
    episodeRef: ref,
    completedAt: '2026-10-25T10:00:00Z',
    setting: 'neutral',
    concerns: { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false, ...c },
  });

/** The deliveries the last event causes, given the events before it, through the notify function's routing. */
const route = (
  council: CouncilConfig,
  event: PipelineEvent | Sent,
  before: (PipelineEvent | Sent)[],
  others: string[] = [],
) =>
  emailsFor(council, [...before, event], {
    otherEpisodes: others.map((reportedAt) => ({ reportedAt, kind: 'missing' as const })),
  }).map((email) => ({ recipient: email.recipient, actions: email.actions }));
const addresses = (...args: Parameters<typeof route>) =>
  route(...args)
    .map((d) => d.recipient.address)
    .sort();
// Two earlier episodes within 90 days: this report is the third.
const repeatHistory = ['2026-09-01T10:00:00Z', '2026-10-01T10:00:00Z'];

describe('routing in Tower Hamlets', () => {
  const c = towerHamlets;
  it('a report goes to the Met and, with no social worker named, to Children’s Social Care', () => {
    expect(addresses(c, report(), [])).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'missing-persons@met-police.invalid',
    ]);
  });

  it('a high-risk, exploitation-flagged report also reaches the safeguarding lead and the Exploitation service, once each', () => {
    const deliveries = route(c, report({ riskGrade: 'high', riskFactors: ['sexual_exploitation'] }), []);
    expect(deliveries.map((d) => d.recipient.address).sort()).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
      'missing-persons@met-police.invalid',
      'safeguarding-lead@tower-hamlets.invalid',
    ]);
    const exploitation = deliveries.find((d) => d.recipient.address.startsWith('exploitation'));
    expect(exploitation?.actions.map((a) => a.ruleId)).toEqual(['high-risk', 'exploitation-risk']);
  });

  it('a risk re-assessment that changes nothing reaches nobody', () => {
    const assessed = parsedEvent('missing.risk_assessed', { episodeRef: ref, riskGrade: 'low' });
    expect(addresses(c, assessed, [report({ riskGrade: 'low' })])).toEqual([]);
  });

  it('a change of risk grade that is not to high reaches the social worker', () => {
    const assessed = parsedEvent('missing.risk_assessed', { episodeRef: ref, riskGrade: 'low' });
    const deliveries = route(c, assessed, [report({ riskGrade: 'medium' })]);
    expect(deliveries.map((d) => d.recipient.address)).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    expect(deliveries[0]?.actions.map((a) => a.ruleId)).toEqual(['risk-changed']);
  });

  it('a repeated exploitation factor is not routed again; a new one is', () => {
    const first = report({ riskFactors: ['criminal_exploitation'] });
    const same = parsedEvent('missing.risk_assessed', {
      episodeRef: ref,
      riskGrade: 'medium',
      riskFactors: ['criminal_exploitation'],
    });
    expect(addresses(c, same, [first])).toEqual(['childrens-social-care@tower-hamlets.invalid']);
    const added = parsedEvent('missing.risk_assessed', {
      episodeRef: ref,
      riskGrade: 'medium',
      riskFactors: ['criminal_exploitation', 'grooming_or_coercion'],
    });
    expect(addresses(c, added, [first])).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
    ]);
  });

  it('a repeat episode reaches the managers and the Exploitation service', () => {
    expect(addresses(c, report(), [], repeatHistory)).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
      'missing-managers@tower-hamlets.invalid',
      'missing-persons@met-police.invalid',
    ]);
  });

  it('an absence goes to the social worker named in the report', () => {
    const absence = parsedEvent(
      'absence.reported',
      reportData(ref, { socialWorker: { email: 'sw@lbth.example' } }),
    );
    expect(addresses(c, absence, [])).toEqual(['sw@lbth.example']);
  });

  it('a return reaches the RHI provider, the police, the social worker and the school, with the deadlines', () => {
    const before = [report({ school: { name: 'Bow School', email: 'dsl@bow.example' } })];
    const deliveries = route(c, found, before);
    expect(deliveries.map((d) => d.recipient.address).sort()).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'dsl@bow.example',
      'exploitation.team@towerhamlets.gov.uk',
      'missing-persons@met-police.invalid',
    ]);
    const by = Object.fromEntries(deliveries.map((d) => [d.recipient.address, d.actions[0]?.by]));
    expect(by['exploitation.team@towerhamlets.gov.uk']).toBe('return_home_interview');
    expect(by['missing-persons@met-police.invalid']).toBe('prevention_interview');
  });

  it('a return with no school address goes to education safeguarding, with identity and education details only', () => {
    const school = route(c, found, [report()]).find((d) => d.recipient.ref === 'school');
    expect(school?.recipient.address).toBe('education-safeguarding@tower-hamlets.invalid');
    expect([...(school?.recipient.details ?? [])].sort()).toEqual(['education', 'identity']);
  });

  it('the end of an absence reaches only the social worker', () => {
    const absence = parsedEvent('absence.reported', reportData(ref), { time: '2026-10-22T19:00:00+01:00' });
    expect(addresses(c, found, [absence])).toEqual(['childrens-social-care@tower-hamlets.invalid']);
  });

  it('an RHI finding an immediate risk of significant harm reaches Duty and Assessment, the safeguarding lead and the recording service', () => {
    const rhi = { sourceId: 'exploitation-team', event: concerns({ immediateSignificantHarm: true }) };
    expect(addresses(c, rhi, [report(), found])).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'duty-and-assessment@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
      'safeguarding-lead@tower-hamlets.invalid',
    ]);
  });

  it('an RHI finding exploitation reaches the Exploitation service', () => {
    expect(addresses(c, concerns({ exploitation: true }), [report(), found])).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
    ]);
  });

  it('a declined RHI reaches the social worker', () => {
    const declined = parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-25T10:00:00Z' });
    expect(addresses(c, declined, [report(), found])).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
    ]);
  });

  it('a withdrawal reaches the police and the social worker', () => {
    const withdrawn = parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'reported in error' });
    expect(addresses(c, withdrawn, [report()])).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'missing-persons@met-police.invalid',
    ]);
  });
});

describe('routing in Bath and North East Somerset', () => {
  const c = bathNes;
  it('a report goes to Avon and Somerset Constabulary and Children’s Social Care', () => {
    expect(addresses(c, report(), [])).toEqual([
      'childrens-social-care@bathnes.invalid',
      'missing-persons@avon-somerset-police.invalid',
    ]);
  });

  it('a high-risk re-assessment reaches the safeguarding lead, the Duty and Assessment Team and the social worker', () => {
    const assessed = parsedEvent('missing.risk_assessed', { episodeRef: ref, riskGrade: 'high' });
    expect(addresses(c, assessed, [report()])).toEqual([
      'childrens-social-care@bathnes.invalid',
      'duty-and-assessment@bathnes.invalid',
      'safeguarding-lead@bathnes.invalid',
    ]);
  });

  it('an exploitation-flagged re-assessment reaches the exploitation team and the social worker', () => {
    const assessed = parsedEvent('missing.risk_assessed', {
      episodeRef: ref,
      riskGrade: 'medium',
      riskFactors: ['criminal_exploitation'],
    });
    expect(addresses(c, assessed, [report()])).toEqual([
      'childrens-social-care@bathnes.invalid',
      'exploitation@bathnes.invalid',
    ]);
  });

  it('a return reaches the Youth Offending Service for the RHI and the police for the Prevention Interview', () => {
    expect(addresses(c, found, [report()])).toEqual([
      'childrens-social-care@bathnes.invalid',
      'education-safeguarding@bathnes.invalid',
      'missing-persons@avon-somerset-police.invalid',
      'youth-offending-service@bathnes.invalid',
    ]);
  });

  it('an RHI recording an immediate risk of significant harm routes to the Duty and Assessment Team and the Youth Offending Service and its own safeguarding lead', () => {
    const rhi = { sourceId: 'youth-offending-service', event: concerns({ immediateSignificantHarm: true }) };
    const deliveries = route(c, rhi, [report(), found]);
    expect(deliveries.map((d) => d.recipient.address).sort()).toEqual([
      'childrens-social-care@bathnes.invalid',
      'duty-and-assessment@bathnes.invalid',
      'safeguarding-lead@youth-offending-service.bathnes.invalid',
      'youth-offending-service@bathnes.invalid',
    ]);
    const duty = deliveries.find((d) => d.recipient.ref === 'duty-and-assessment');
    expect(duty?.actions[0]?.ruleId).toBe('immediate-significant-harm');
  });

  it('an RHI finding a risk of harm routes to Early Help for an Early Help Assessment', () => {
    const deliveries = route(c, concerns({ riskOfHarm: true }), [report(), found]);
    expect(deliveries.map((d) => d.recipient.address).sort()).toEqual([
      'childrens-social-care@bathnes.invalid',
      'early-help@bathnes.invalid',
    ]);
    expect(deliveries.find((d) => d.recipient.ref === 'early-help')?.actions[0]?.action).toMatch(
      /Early Help Assessment/,
    );
  });

  it('a repeat episode reaches the managers and the Youth Offending Service', () => {
    expect(addresses(c, report(), [], repeatHistory)).toEqual([
      'childrens-social-care@bathnes.invalid',
      'missing-managers@bathnes.invalid',
      'missing-persons@avon-somerset-police.invalid',
      'youth-offending-service@bathnes.invalid',
    ]);
  });
});

describe('steps recorded from the link in an email', () => {
  it.each([towerHamlets, bathNes])(
    "$id: an RHI recorded from a link is receipted to the RHI provider's inbox; the same RHI from its system is not",
    (c) => {
      const provider = c.agencies[c.roles.rhiProvider]!.inbox.address;
      const fromLink = route(c, { sourceId: `email:${c.roles.rhiProvider}`, event: concerns({}) }, [
        report(),
        found,
      ]);
      const receipt = fromLink.find((d) => d.recipient.address === provider);
      expect(receipt?.recipient.ref).toBe('recording-agency');
      expect(receipt?.actions.map((a) => a.ruleId)).toEqual(['email-link-receipt']);
      const rhiSystem = Object.entries(c.sources).find(
        ([id, s]) => !id.startsWith('email:') && s.agency === c.roles.rhiProvider,
      )![0];
      const fromSystem = route(c, { sourceId: rhiSystem, event: concerns({}) }, [report(), found]);
      expect(fromSystem.map((d) => d.recipient.address)).not.toContain(provider);
      // Everyone else hears of it as they would from the system.
      expect(fromLink.filter((d) => d.recipient.address !== provider)).toEqual(fromSystem);
    },
  );

  it('the police are asked for the risk grade on a report, a step they may record from the email', () => {
    const police = route(towerHamlets, report(), []).find((d) => d.recipient.ref === 'met-police');
    expect(police?.actions).toEqual([expect.objectContaining({ asks: 'risk_assessment' })]);
  });

  it('a recording agency heard from a link is the agency the link was for, with its categories', () => {
    const [receipt] = route(
      towerHamlets,
      {
        sourceId: 'email:childrens-social-care',
        event: parsedEvent('missing.reviewed', {
          episodeRef: ref,
          reviewedAt: '2026-10-23T09:00:00+01:00',
          level: 'manager',
        }),
      },
      [report()],
    ).filter((d) => d.actions.some((a) => a.ruleId === 'email-link-receipt'));
    // One email to the inbox: the social worker's (none named, so social care's) and the receipt, merged.
    expect(receipt?.actions.map((a) => a.ruleId)).toEqual(['missing-reviewed', 'email-link-receipt']);
    expect(receipt?.recipient).toMatchObject({
      agency: 'childrens-social-care',
      address: 'childrens-social-care@tower-hamlets.invalid',
    });
  });
});
