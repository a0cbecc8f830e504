import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type CouncilConfig, deadlinePolicy } from '../../../shared/council/council-schema';
import { deadlineNotices, noticeKey } from '../../../shared/deadlines/deadline-notices';
import { notAPoliceReport, phoneThePolice } from '../../../shared/email/episode-sections';
import { noticeEmail } from '../../../shared/email/notice-email';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { RiskFactor } from '../../../shared/events/risk-factors';
import { fireNotice } from '../../../shared/notify/fire-notice';
import { resolveRecipient } from '../../../shared/routing/recipients';
import { bathNes, councils, towerHamlets } from '../../support/councils';
import { emailsFor, episodeRecord, otherSource, policeSource, type Sent } from '../../support/episode-record';
import { fullEpisode, parsedEvent, reportData } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { commitEvents, FakeMailer, recordingLog, settableClock } from '../../support/notify-fakes';

/**
 * Issue 12, point by point: for both councils, who the real routing and email code tells, and the sentence
 * that carries each point.
 */
const ref = 'POINT-1';
const at = (iso: string) => ({ time: iso });
const inbox = (council: CouncilConfig, agency: string) => {
  const found = council.agencies[agency];
  if (!found) throw new Error(`${council.id} has no ${agency}`);
  return found.inbox.address;
};
const police = (c: CouncilConfig) => inbox(c, c.roles.police);
const report = (overrides: Parameters<typeof reportData>[1] = {}) =>
  parsedEvent('missing.reported', reportData(ref, overrides), at('2026-10-22T19:00:00+01:00'));
const found = (data: Partial<Extract<PipelineEvent, { type: 'missing.found' }>['data']> = {}) =>
  parsedEvent(
    'missing.found',
    { episodeRef: ref, foundAt: '2026-10-24T09:30:00+01:00', ...data },
    at('2026-10-24T09:40:00+01:00'),
  );
const noConcerns = { riskOfHarm: false, immediateSignificantHarm: false, exploitation: false };
type Concerns = typeof noConcerns;
type DataOf<T extends PipelineEvent['type']> = Extract<PipelineEvent, { type: T }>['data'];
/** The police's Prevention Interview, the afternoon of the return. */
const interviewed = (concerns: Concerns, more: Partial<DataOf<'prevention_interview.completed'>> = {}) =>
  parsedEvent(
    'prevention_interview.completed',
    { episodeRef: ref, completedAt: '2026-10-24T15:00:00+01:00', concerns, ...more },
    at('2026-10-24T15:05:00+01:00'),
  );
/** The Return Home Interview, two days after the return, as the council's RHI provider's system sends it. */
const rhiHeld = (
  council: CouncilConfig,
  concerns: Concerns,
  more: Partial<DataOf<'rhi.completed'>> = {},
): Sent => ({
  sourceId: otherSource(council, 'rhi.completed'),
  event: parsedEvent(
    'rhi.completed',
    { episodeRef: ref, completedAt: '2026-10-26T11:00:00Z', setting: 'neutral', concerns, ...more },
    at('2026-10-26T11:30:00Z'),
  ),
});
const socialWorker = 'sw.allocated@council.example';
const withWorker = { socialWorker: { email: socialWorker } };
const to = (emails: { to: string }[]) => emails.map((e) => e.to);
const emailTo = <E extends { to: string }>(emails: E[], address: string): E => {
  const email = emails.find((e) => e.to === address);
  if (!email) throw new Error(`no email to ${address} among ${to(emails).join(', ')}`);
  return email;
};

describe.each(councils)('$shortName, point 1: actions that fit who reported', (council) => {
  const fromSchool = (event: PipelineEvent): Sent => ({ sourceId: otherSource(council, event.type), event });
  const schoolReport = report({
    reportedBy: 'school',
    school: { name: 'Bow School', email: 'dsl@bow.example' },
  });

  test('a report the police’s own system sent never asks the police to risk assess it, and says nothing of 999', () => {
    const emails = emailsFor(council, [report({ reportedBy: 'parent_carer' })]);
    const toPolice = emailTo(emails, police(council));
    expect(toPolice.actions.map((a) => a.action)).toEqual([
      "Plan for the child's return with their social worker and parents/carers from now, and send the risk grade as soon as it is set.",
    ]);
    for (const email of emails) {
      expect(email.text).not.toMatch(/risk assess/i);
      expect(email.text).not.toContain(notAPoliceReport);
    }
  });

  test('a school’s report tells its designated safeguarding inbox to phone 999 or 101, and every email says a webhook is not a report to the police', () => {
    const emails = emailsFor(council, [fromSchool(schoolReport)]);
    expect(to(emails)).toEqual([
      'dsl@bow.example',
      police(council),
      inbox(council, council.roles.socialCare),
    ]);
    expect(emailTo(emails, 'dsl@bow.example').actions.map((a) => a.action)).toEqual([
      'Phone the police now if you have not already: 999 if the child is in immediate danger, otherwise 101, and give them the episode reference. A webhook is not a report to the police.',
    ]);
    expect(emailTo(emails, police(council)).text).toContain('it is not yet a report to the police');
    for (const email of emails) {
      expect(email.text).toContain(
        `This child was reported through ${council.sources.schools?.name}, not by the police. ${notAPoliceReport} ${phoneThePolice}`,
      );
    }
  });

  test('once the police’s own system sends an event about the episode, emails stop saying it was not reported to them', () => {
    const assessed = parsedEvent(
      'missing.risk_assessed',
      { episodeRef: ref, riskGrade: 'high' },
      at('2026-10-22T21:00:00+01:00'),
    );
    const emails = emailsFor(council, [fromSchool(schoolReport), assessed]);
    expect(emails.length).toBeGreaterThan(0);
    for (const email of emails) expect(email.text).not.toContain(notAPoliceReport);
  });

  test('a reminder about an episode only a school has reported says so too', () => {
    const record = episodeRecord(council, [fromSchool(schoolReport), found()]);
    const notice = deadlineNotices(record.state, council)[0];
    if (!notice) throw new Error('a return has notices');
    const recipient = resolveRecipient(
      deadlinePolicy(council, notice.deadlineKind).responsible,
      record.state,
      council,
    );
    const email = noticeEmail({
      notice,
      episode: record.state,
      provenance: { reportSourceId: 'schools', policeHaveReport: false },
      recipient,
      told: [recipient],
      council,
      now: notice.fireAt,
    });
    expect(email.text).toContain(`${notAPoliceReport} ${phoneThePolice}`);
  });
});

test('point 1: the README’s integrators section carries the same words', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(
    readme.indexOf('<!-- section: integrators -->'),
    readme.indexOf('<!-- /section: integrators -->'),
  );
  expect(section.replace(/\s+/g, ' ')).toContain(`${notAPoliceReport} ${phoneThePolice}`);
});

describe.each(councils)(
  '$shortName, point 2: the social worker hears every change to the picture',
  (council) => {
    const reported = report({ riskGrade: 'medium', ...withWorker });

    test('a risk grade change that is not to high, with what it was', () => {
      const lowered = parsedEvent(
        'missing.risk_assessed',
        { episodeRef: ref, riskGrade: 'low', assessedAt: '2026-10-22T20:00:00+01:00' },
        at('2026-10-22T20:05:00+01:00'),
      );
      const emails = emailsFor(council, [reported, lowered]);
      expect(to(emails)).toEqual([socialWorker]);
      expect(emails[0]?.text).toContain(
        'The police assessed the risk as low on Thu 22 Oct 2026, 20:00 BST (it was medium).',
      );
    });

    test('the Prevention Interview’s outcome and concerns', () => {
      const emails = emailsFor(council, [
        reported,
        found(),
        interviewed({ ...noConcerns, riskOfHarm: true }),
      ]);
      expect(to(emails)).toEqual([socialWorker]);
      expect(emails[0]?.text).toContain(
        'The police Prevention Interview was completed on Sat 24 Oct 2026, 15:00 BST.\nConcerns: risk of harm.',
      );
    });

    test('the RHI’s findings: setting, concerns, and whether the child was referred or signposted on, and to whom', () => {
      const completed = rhiHeld(
        council,
        { ...noConcerns, exploitation: true },
        {
          setting: 'home',
          referral: { outcome: 'signposted', to: 'the young people’s substance misuse service' },
        },
      );
      const emails = emailsFor(council, [reported, found(), completed]);
      const email = emailTo(emails, socialWorker);
      expect(email.text).toContain(
        'The Return Home Interview was completed on Mon 26 Oct 2026, 11:00 GMT (setting: home).\nConcerns: exploitation.\nThe child was signposted on to the young people’s substance misuse service.',
      );
    });

    test('the reason the child gave when declining the RHI', () => {
      const declined = parsedEvent(
        'rhi.declined',
        {
          episodeRef: ref,
          declinedAt: '2026-10-26T11:00:00Z',
          reason: 'Does not want to talk to anyone yet',
        },
        at('2026-10-26T11:30:00Z'),
      );
      const emails = emailsFor(council, [
        reported,
        found(),
        { sourceId: otherSource(council, 'rhi.declined'), event: declined },
      ]);
      expect(to(emails)).toEqual([socialWorker]);
      expect(emails[0]?.text).toContain('Their reason: Does not want to talk to anyone yet');
    });

    test('a withdrawal, with its reason', () => {
      const withdrawn = parsedEvent(
        'episode.withdrawn',
        { episodeRef: ref, reason: 'Reported in error' },
        at('2026-10-22T21:00:00+01:00'),
      );
      const emails = emailsFor(council, [reported, withdrawn]);
      expect(to(emails)).toEqual([police(council), socialWorker]);
      expect(emailTo(emails, socialWorker).text).toContain(
        'The report was withdrawn.\nReason: Reported in error',
      );
    });
  },
);

describe('point 3: every risk factor of the guides’ push, pull and immediate-risk lists routes somewhere', () => {
  // Who a police report naming only this factor reaches beyond the police and the social worker, and why.
  const expected: Record<string, Record<RiskFactor, string[]>> = {
    'tower-hamlets': {
      not_accepted_or_safe: ['social-worker:family-and-home'],
      family_breakdown: ['social-worker:family-and-home'],
      domestic_abuse: ['social-worker:domestic-abuse'],
      poor_family_relationships: ['social-worker:family-and-home'],
      abuse_or_neglect: ['duty-and-assessment:abuse-or-neglect', 'safeguarding-lead:abuse-or-neglect'],
      boundary_issues: ['social-worker:family-and-home'],
      bullying: ['school:bullying'],
      pregnancy_or_fear_of_pregnancy: ['social-worker:pregnancy'],
      forced_marriage_or_fgm: [
        'met-police:forced-marriage-or-fgm',
        'social-worker:forced-marriage-or-fgm',
        'safeguarding-lead:forced-marriage-or-fgm',
      ],
      staying_out_with_peers_or_partners: ['exploitation-service:peers-and-partners'],
      running_to_someone: ['exploitation-service:peers-and-partners'],
      running_to_friends_or_family_from_care: ['social-worker:running-from-care'],
      freedom_and_independence: ['exploitation-service:peers-and-partners'],
      substance_misuse_or_crime: ['social-worker:substance-misuse'],
      grooming_or_coercion: ['exploitation-service:exploitation-risk'],
      fear_of_repercussion: ['exploitation-service:exploitation-risk'],
      sexual_exploitation: [
        'exploitation-service:exploitation-risk',
        'safeguarding-lead:sexual-exploitation',
      ],
      criminal_exploitation: ['exploitation-service:exploitation-risk'],
      involvement_in_crime: ['met-police:crime', 'exploitation-service:crime'],
      victim_of_crime: ['met-police:crime', 'exploitation-service:crime'],
      alcohol_or_substance_misuse: ['social-worker:substance-misuse'],
      physical_or_mental_health: ['social-worker:health'],
      missing_education: ['school:missing-education'],
      trafficking: [
        'met-police:trafficking',
        'duty-and-assessment:trafficking',
        'exploitation-service:trafficking',
      ],
    },
    'bath-ne-somerset': {
      not_accepted_or_safe: ['social-worker:family-and-home'],
      family_breakdown: ['social-worker:family-and-home'],
      domestic_abuse: ['social-worker:domestic-abuse'],
      poor_family_relationships: ['social-worker:family-and-home'],
      abuse_or_neglect: ['duty-and-assessment:abuse-or-neglect', 'safeguarding-lead:abuse-or-neglect'],
      boundary_issues: ['social-worker:family-and-home'],
      bullying: ['school:bullying'],
      pregnancy_or_fear_of_pregnancy: ['social-worker:pregnancy'],
      forced_marriage_or_fgm: [
        'avon-somerset-police:forced-marriage-or-fgm',
        'social-worker:forced-marriage-or-fgm',
        'safeguarding-lead:forced-marriage-or-fgm',
      ],
      staying_out_with_peers_or_partners: ['youth-offending-service:peers-and-partners'],
      running_to_someone: ['youth-offending-service:peers-and-partners'],
      running_to_friends_or_family_from_care: ['social-worker:running-from-care'],
      freedom_and_independence: ['youth-offending-service:peers-and-partners'],
      substance_misuse_or_crime: ['social-worker:substance-misuse'],
      grooming_or_coercion: ['exploitation-team:exploitation-risk'],
      fear_of_repercussion: ['exploitation-team:exploitation-risk'],
      sexual_exploitation: ['exploitation-team:exploitation-risk', 'safeguarding-lead:sexual-exploitation'],
      criminal_exploitation: ['exploitation-team:exploitation-risk'],
      involvement_in_crime: ['avon-somerset-police:crime', 'exploitation-team:crime'],
      victim_of_crime: ['avon-somerset-police:crime', 'exploitation-team:crime'],
      alcohol_or_substance_misuse: ['social-worker:substance-misuse'],
      physical_or_mental_health: ['social-worker:health'],
      missing_education: ['school:missing-education'],
      trafficking: [
        'avon-somerset-police:trafficking',
        'duty-and-assessment:trafficking',
        'exploitation-team:trafficking',
      ],
    },
  };
  const routed = (council: CouncilConfig, factor: RiskFactor) =>
    emailsFor(council, [report({ riskFactors: [factor] })]).flatMap((email) =>
      email.actions
        .filter((a) => !['report-police-system', 'report-planning-for-return'].includes(a.ruleId))
        .map((a) => ({ who: `${email.ref}:${a.ruleId}`, email, action: a.action })),
    );

  test.each(councils.flatMap((c) => RiskFactor.options.map((factor) => ({ c, factor, id: c.id }))))(
    '$id: $factor',
    ({ c, factor }) => {
      expect(routed(c, factor).map((r) => r.who)).toEqual(expected[c.id]?.[factor]);
    },
  );

  test.each(councils)(
    '$id: FGM goes to the police and the safeguarding lead with the mandatory reporting duty; trafficking to the National Referral Mechanism',
    (c) => {
      const fgm = routed(c, 'forced_marriage_or_fgm');
      expect(fgm.find((r) => r.email.ref === 'safeguarding-lead')?.action).toContain(
        'must report it to the police (101): the mandatory reporting duty',
      );
      expect(fgm.find((r) => r.email.ref === c.roles.police)?.action).toContain(
        'Forced Marriage Unit (020 7008 0151)',
      );
      const trafficking = routed(c, 'trafficking');
      expect(trafficking.find((r) => r.email.ref === c.roles.police)?.action).toContain(
        'refer the child to the National Referral Mechanism',
      );
      expect(trafficking.find((r) => r.email.ref === 'duty-and-assessment')?.action).toContain(
        'make sure the child is referred to the National Referral Mechanism',
      );
    },
  );
});

describe.each(councils)('$shortName, point 5: a looked-after child is missing from care', (council) => {
  const placing = { name: 'Essex County Council', email: 'missing.children@essex.example' };
  const child = { givenName: 'Alex', familyName: 'Example', dateOfBirth: '2011-05-14', lookedAfter: true };
  const lac = report({ child, placingAuthority: placing, ...withWorker });

  test('the placing authority and the social worker are told at report and at return; the RHI is arranged with the placing authority', () => {
    const atReport = emailsFor(council, [lac]);
    expect(to(atReport)).toEqual([police(council), socialWorker, placing.email]);
    expect(atReport[0]?.subject).toBe(`[${council.shortName}] Child missing from care (ref ${ref})`);
    expect(emailTo(atReport, placing.email).text).toContain('A child you look after is missing from care');

    const atReturn = emailsFor(council, [lac, found()]);
    const rhiProvider = inbox(council, council.roles.rhiProvider);
    expect(to(atReturn)).toEqual(
      expect.arrayContaining([rhiProvider, police(council), socialWorker, placing.email]),
    );
    expect(emailTo(atReturn, placing.email).text).toContain(
      'A child you look after has returned: agree with the',
    );
    const toProvider = emailTo(atReturn, rhiProvider).text;
    expect(toProvider).toContain(
      'The child is looked after: arrange the Return Home Interview with the placing authority named below',
    );
    expect(toProvider).toContain(
      'Missing from care: looked after by Essex County Council (missing.children@essex.example)',
    );
  });

  test('no email of a looked-after child’s episode suggests an Early Help Assessment, even when the RHI finds a risk of harm', () => {
    const steps = [lac, found(), rhiHeld(council, { ...noConcerns, riskOfHarm: true })];
    const emails = steps.flatMap((_, i) => emailsFor(council, steps.slice(0, i + 1)));
    for (const email of emails) expect(email.text).not.toContain('Early Help');
    const outcome = emailsFor(council, steps);
    expect(to(outcome)).toEqual([socialWorker, placing.email]);
    expect(emailTo(outcome, socialWorker).text).toContain(
      "The Return Home Interview found a risk of harm: review the child's care plan and placement with the placing authority.",
    );
  });
});

test('point 5: in B&NES a child who is not looked after, with a risk of harm at the RHI, goes to Early Help for an assessment', () => {
  const emails = emailsFor(bathNes, [
    report(),
    found(),
    rhiHeld(bathNes, { ...noConcerns, riskOfHarm: true }),
  ]);
  expect(to(emails)).toEqual(['early-help@bathnes.invalid', 'childrens-social-care@bathnes.invalid']);
  expect(emails[0]?.text).toContain(
    'The Return Home Interview found a risk of harm: complete or update an Early Help Assessment.',
  );
});

describe('point 6: an immediate risk of significant harm, as B&NES’s guide says it', () => {
  const harm = { ...noConcerns, immediateSignificantHarm: true };
  const worker = { name: 'Jo Worker', phone: '01225 111222', email: 'jo.worker@bathnes.example' };

  test('recorded at the RHI: the Youth Offending Service, its own safeguarding lead and the Duty and Assessment Team, who are told who recorded it and how to reach them', () => {
    const emails = emailsFor(bathNes, [
      report(withWorker),
      found(),
      rhiHeld(bathNes, harm, { recordedBy: worker }),
    ]);
    expect(to(emails)).toEqual([
      'youth-offending-service@bathnes.invalid',
      'safeguarding-lead@youth-offending-service.bathnes.invalid',
      'duty-and-assessment@bathnes.invalid',
      socialWorker,
    ]);
    expect(emailTo(emails, 'youth-offending-service@bathnes.invalid').text).toContain(
      "You recorded an immediate risk of significant harm: phone the Duty and Assessment Team on 01225 396312 or 396313 now, and consult your agency's safeguarding lead.",
    );
    expect(emailTo(emails, 'safeguarding-lead@youth-offending-service.bathnes.invalid').subject).toBe(
      `[B&NES] Return Home Interview completed: immediate risk of significant harm (ref ${ref})`,
    );
    expect(emailTo(emails, 'duty-and-assessment@bathnes.invalid').text).toContain(
      'Recorded by Jo Worker, B&NES Youth Offending Service. Reach them on 01225 111222, jo.worker@bathnes.example, youth-offending-service@bathnes.invalid.',
    );
  });

  test('recorded at the Prevention Interview: the police, their own safeguarding lead and the Duty and Assessment Team', () => {
    const emails = emailsFor(bathNes, [report(withWorker), found(), interviewed(harm)]);
    expect(to(emails)).toEqual([
      'missing-persons@avon-somerset-police.invalid',
      'safeguarding-lead@avon-somerset-police.invalid',
      'duty-and-assessment@bathnes.invalid',
      socialWorker,
    ]);
    expect(emails[0]?.text).toContain('phone the Duty and Assessment Team on 01225 396312 or 396313 now');
    expect(emailTo(emails, 'duty-and-assessment@bathnes.invalid').text).toContain(
      'Recorded by Avon and Somerset Constabulary missing persons team. Reach them on missing-persons@avon-somerset-police.invalid.',
    );
  });

  test('Tower Hamlets, whose guide names no number: the recording service, the council’s safeguarding lead (the source names none of its own) and Duty and Assessment', () => {
    const emails = emailsFor(towerHamlets, [report(withWorker), found(), rhiHeld(towerHamlets, harm)]);
    expect(to(emails)).toEqual([
      'exploitation.team@towerhamlets.gov.uk',
      'safeguarding-lead@tower-hamlets.invalid',
      'duty-and-assessment@tower-hamlets.invalid',
      socialWorker,
    ]);
    expect(emails[0]?.text).toContain(
      'You recorded an immediate risk of significant harm: phone the Duty and Assessment Team now',
    );
  });
});

describe.each(councils)('$shortName, point 7: timing as the guides word it', (council) => {
  test('the RHI is due 72 hours after the child got home; the Prevention Interview as soon as possible, the council’s hours the latest', () => {
    const emails = emailsFor(council, [report(), found({ returnedHomeAt: '2026-10-24T13:00:00+01:00' })]);
    const rhiProvider = inbox(council, council.roles.rhiProvider);
    expect(emailTo(emails, rhiProvider).subject).toBe(
      `[${council.shortName}] Child returned: Return Home Interview due Tue 27 Oct 2026, 12:00 GMT (ref ${ref})`,
    );
    expect(emailTo(emails, rhiProvider).text).toContain('They got home on Sat 24 Oct 2026, 13:00 BST.');
    const toPolice = emailTo(emails, police(council));
    expect(toPolice.subject).toBe(
      `[${council.shortName}] Child returned: Prevention Interview as soon as possible, latest Tue 27 Oct 2026, 08:30 GMT (ref ${ref})`,
    );
    expect(toPolice.text).toContain('As soon as possible, and by Tue 27 Oct 2026, 08:30 GMT');
  });

  test('the RHI’s reminder counts from when the child got home, and says so', () => {
    const record = episodeRecord(council, [report(), found({ returnedHomeAt: '2026-10-24T13:00:00+01:00' })]);
    const reminder = deadlineNotices(record.state, council).find(
      (n) => n.deadlineKind === 'return_home_interview' && n.hoursBefore === 24,
    );
    if (!reminder) throw new Error('the RHI has a reminder a day before');
    const recipient = resolveRecipient(council.roles.rhiProvider, record.state, council);
    const email = noticeEmail({
      notice: reminder,
      episode: record.state,
      provenance: { reportSourceId: policeSource(council), policeHaveReport: true },
      recipient,
      told: [recipient],
      council,
      now: reminder.fireAt,
    });
    expect(email.text).toContain(
      'The child got home on Sat 24 Oct 2026, 13:00 BST. The Return Home Interview is due by Tue 27 Oct 2026, 12:00 GMT (in 1 day)',
    );
  });

  test('the third missing episode in 90 days is a repeat episode; the second is not', () => {
    const history = (...dates: string[]) =>
      dates.map((reportedAt) => ({ reportedAt, kind: 'missing' as const }));
    const managers = inbox(council, council.roles.managers);
    const third = emailsFor(council, [report()], {
      otherEpisodes: history('2026-08-01T10:00:00Z', '2026-10-01T10:00:00Z'),
    });
    expect(to(third)).toContain(managers);
    expect(emailTo(third, managers).text).toContain('Repeat missing: the 3rd episode within 90 days');
    const second = emailsFor(council, [report()], { otherEpisodes: history('2026-10-01T10:00:00Z') });
    expect(to(second)).not.toContain(managers);
  });
});

describe.each(councils)(
  '$shortName, point 8: an overdue Prevention Interview goes up the police’s own chain',
  (council) => {
    test('the escalation reaches the police, their supervisors and the managers, and names who is responsible and who is told', async () => {
      const store = new MemoryEpisodeStore();
      await commitEvents(store, council, 'ep-8', fullEpisode(ref).slice(0, 3), policeSource(council));
      const state = (await store.getEpisode('ep-8'))?.state;
      const escalation =
        state &&
        deadlineNotices(state, council).find(
          (n) => n.deadlineKind === 'prevention_interview' && n.notice === 'escalation',
        );
      if (!escalation) throw new Error('a return has a Prevention Interview escalation');
      const mailer = new FakeMailer();
      const deps = { store, mailer, clock: settableClock(escalation.fireAt), council, log: recordingLog() };
      expect(await fireNotice(deps, { episodeId: 'ep-8', noticeKey: noticeKey(escalation) })).toBe('sent');
      const names = [council.roles.police, council.roles.policeSupervisors, council.roles.managers].map(
        (id) => council.agencies[id]?.name,
      );
      expect(mailer.recipients()).toEqual([
        police(council),
        inbox(council, council.roles.policeSupervisors),
        inbox(council, council.roles.managers),
      ]);
      for (const email of mailer.sent) {
        expect(email.text).toContain(
          `Responsible: ${names[0]}. This escalation goes to ${names.join(', ')}.`,
        );
      }
    });
  },
);

describe('point 9: the guides’ own contacts, each under its own name', () => {
  const wholeEpisode = (council: CouncilConfig) => {
    const events = fullEpisode(ref);
    return events.flatMap((_, i) => emailsFor(council, events.slice(0, i + 1)));
  };

  test('every B&NES email carries the Duty and Assessment numbers, the Request for Service forms, and the out-of-hours team', () => {
    const emails = wholeEpisode(bathNes);
    expect(emails.length).toBeGreaterThan(8);
    for (const email of emails) {
      expect(email.text).toContain('B&NES Duty and Assessment Team: 01225 396312 or 01225 396313');
      expect(email.text).toContain(
        'Request for Service forms: https://www.bathnes.gov.uk/services/children-young-people-and-families/child-protection',
      );
      expect(email.text).toContain('Out of hours, B&NES Emergency Duty Team: 0117 496 0999');
    }
  });

  test('every LBTH email carries the Exploitation service’s address and the LBTH Missing Protocol 2022', () => {
    for (const email of wholeEpisode(towerHamlets)) {
      expect(email.text).toContain(
        'For further information, support or advice, Tower Hamlets Exploitation service: exploitation.team@towerhamlets.gov.uk',
      );
      expect(email.text).toContain('Protocol: LBTH Missing Protocol 2022');
      expect(email.text).toContain('Out of hours, Tower Hamlets Emergency Duty Team: 020 7946 0999');
    }
  });

  test.each(councils)('$id: no link appears under two names', (council) => {
    const labels = new Map<string, Set<string>>();
    for (const email of wholeEpisode(council)) {
      for (const [, href, label] of email.html.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)) {
        labels.set(href as string, (labels.get(href as string) ?? new Set()).add(label as string));
      }
    }
    expect(labels.size).toBe(council.id === 'bath-ne-somerset' ? 1 : 0);
    for (const [href, names] of labels) expect([...names], href).toHaveLength(1);
  });
});
