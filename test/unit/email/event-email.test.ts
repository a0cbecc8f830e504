import { describe, expect, test } from 'vitest';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { bathNes, towerHamlets } from '../../support/councils';
import { emailsFor, otherSource, type Sent } from '../../support/episode-record';
import { fullEpisode, parsedEvent, reportData } from '../../support/events';

const council = towerHamlets;
const now = '2026-10-24T09:00:00Z';

const report = parsedEvent(
  'missing.reported',
  reportData('MPS-2026-0001', {
    child: {
      givenName: 'Alex',
      familyName: 'Example',
      dateOfBirth: '2011-05-14',
      identifiers: { nhsNumber: '9434765919' },
      lookedAfter: true,
    },
    lastSeenPlace: 'Mile End station',
    circumstances: 'Left with <b>older "friends"</b> & did not return',
    riskGrade: 'high',
    riskFactors: ['criminal_exploitation', 'substance_misuse_or_crime'],
  }),
  { id: 'MPS-2026-0001-1', time: '2026-10-22T19:00:00+01:00' },
);
const found = parsedEvent(
  'missing.found',
  { episodeRef: 'MPS-2026-0001', foundAt: '2026-10-24T09:30:00+01:00', foundPlace: 'Stratford' },
  { id: 'MPS-2026-0001-3', time: '2026-10-24T09:30:00+01:00' },
);

const emailFor = (events: (PipelineEvent | Sent)[], ref: string, c = council) => {
  const email = emailsFor(c, events, { now }).find((e) => e.ref === ref);
  if (!email) throw new Error(`no email to ${ref}`);
  return email;
};

describe('the email about an event', () => {
  test('the subject names the council, what happened, the deadline in local time and the reference, never the child', () => {
    const email = emailFor([report, found], 'exploitation-service');
    expect(email.subject).toBe(
      '[LBTH] Child returned: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0001)',
    );
  });

  test('the police are asked for the Prevention Interview as soon as possible, the council file’s hours the latest', () => {
    const email = emailFor([report, found], 'met-police');
    expect(email.subject).toBe(
      '[LBTH] Child returned: Prevention Interview as soon as possible, latest Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0001)',
    );
    expect(email.text).toContain(
      'As soon as possible, and by Tue 27 Oct 2026, 08:30 GMT (in 2 days 23 hours) at the latest.',
    );
  });

  test('a report names the risk grade in the subject and the flags in the body', () => {
    const email = emailFor([report], 'met-police');
    expect(email.subject).toBe('[LBTH] Child missing from care, high risk (ref MPS-2026-0001)');
    expect(email.text).toContain('Police risk grade: high');
    expect(email.text).toContain('Missing from care: looked after by London Borough of Tower Hamlets');
    expect(email.text).toContain('Exploitation risk: criminal exploitation');
    expect(email.text).toContain('Other risk factors: substance misuse or crime');
  });

  test('an agency that needs everything gets the name, date of birth, identifiers, last seen and circumstances', () => {
    const email = emailFor([report], 'met-police');
    for (const detail of [
      'Alex Example',
      '2011-05-14',
      '9434765919',
      'Mile End station',
      'older "friends"',
    ]) {
      expect(email.text).toContain(detail);
    }
  });

  test('an agency that needs the identity only gets the name and date of birth, and nothing else of the child', () => {
    const email = emailFor([report, found], 'school');
    expect(email.text).toContain('Name: Alex Example');
    expect(email.text).toContain('Date of birth: 2011-05-14');
    for (const detail of ['9434765919', 'Mile End station', 'older', 'Stratford']) {
      expect(email.text).not.toContain(detail);
      expect(email.html).not.toContain(detail);
    }
  });

  test('an agency that needs no child details gets the episode reference only', () => {
    const repeat = parsedEvent('missing.reported', reportData('MPS-2026-0009'), {
      time: '2026-10-22T19:00:00+01:00',
    });
    const email = emailsFor(council, [repeat], {
      now,
      otherEpisodes: ['2026-09-15T10:00:00Z', '2026-10-01T10:00:00Z'].map((reportedAt) => ({
        reportedAt,
        kind: 'missing' as const,
      })),
    }).find((e) => e.ref === 'missing-managers');
    if (!email) throw new Error('managers hear of a repeat episode');
    expect(email.text).toContain('Repeat missing: the 3rd episode within 90 days');
    expect(email.text).toContain('Episode reference MPS-2026-0009');
    expect(email.text).not.toContain('Alex');
    expect(email.text).not.toContain('2011-05-14');
  });

  test('text from a sender is escaped in the HTML', () => {
    const email = emailFor([report], 'met-police');
    expect(email.html).toContain(
      'Left with &lt;b&gt;older &quot;friends&quot;&lt;/b&gt; &amp; did not return',
    );
    expect(email.html).not.toContain('<b>older');
  });

  test('every email carries the council contacts: Duty and Assessment numbers, request for service, protocol', () => {
    const events = fullEpisode('ASP-2026-0001');
    const email = emailFor(events.slice(0, 3), 'youth-offending-service', bathNes);
    expect(email.text).toContain('B&NES Duty and Assessment Team: 01225 396312 or 01225 396313');
    expect(email.text).toContain(
      'Request for Service forms: https://www.bathnes.gov.uk/services/children-young-people-and-families/child-protection',
    );
    expect(email.html).toContain(
      '<a href="https://www.bathnes.gov.uk/services/children-young-people-and-families/child-protection">Request for Service forms</a>',
    );
    expect(email.text).toContain('Protocol: B&NES One Minute Guide to missing children');
    const lbth = emailFor([report], 'met-police');
    expect(lbth.text).toContain(
      'For further information, support or advice, Tower Hamlets Exploitation service: exploitation.team@towerhamlets.gov.uk',
    );
    expect(lbth.text).toContain('Protocol: LBTH Missing Protocol 2022');
  });

  test('a Return Home Interview outcome leads with its most serious concern', () => {
    const events = fullEpisode('ASP-2026-0002');
    const completed = parsedEvent(
      'rhi.completed',
      {
        episodeRef: 'ASP-2026-0002',
        completedAt: '2026-10-26T11:00:00Z',
        setting: 'home',
        concerns: { riskOfHarm: true, immediateSignificantHarm: true, exploitation: false },
      },
      { time: '2026-10-26T11:30:00Z' },
    );
    const email = emailFor([...events.slice(0, 5), completed], 'duty-and-assessment', bathNes);
    // The Duty and Assessment Team is asked to acknowledge the referral within 4 hours of it being recorded.
    expect(email.subject).toBe(
      '[B&NES] Return Home Interview completed: immediate risk of significant harm: Referral acknowledgement due Mon 26 Oct 2026, 15:30 GMT (ref ASP-2026-0002)',
    );
    expect(email.text).toContain('Concerns: immediate risk of significant harm, risk of harm.');
  });
});

describe.each([towerHamlets, bathNes])('$shortName subjects', (c) => {
  test('no subject of any email on a whole episode names the child or their date of birth', () => {
    const ref = `${c.id.toUpperCase()}-SUBJECTS`;
    const events = fullEpisode(ref);
    const subjects = events.flatMap((_, i) =>
      emailsFor(c, events.slice(0, i + 1), { now }).map((email) => email.subject),
    );
    expect(subjects.length).toBeGreaterThan(8);
    for (const subject of subjects) {
      expect(subject.startsWith(`[${c.shortName}] `)).toBe(true);
      expect(subject.endsWith(` (ref ${ref})`)).toBe(true);
      expect(subject).not.toMatch(/Alex|Example|2011|14 May/);
    }
  });
});

describe.each([towerHamlets, bathNes])(
  '$shortName: emails about the steps recorded while missing and on immediate harm',
  (c) => {
    const ref = 'STEP-1';
    const [reported, graded, returned] = fullEpisode(ref);
    if (!reported || !graded || !returned) throw new Error('a full episode');
    const socialCare: Sent['sourceId'] = 'childrens-social-care';
    const fromSocialCare = (event: PipelineEvent): Sent => ({ sourceId: socialCare, event });
    const emails = (steps: (PipelineEvent | Sent)[]) => emailsFor(c, steps);

    test('a strategy discussion deciding on a section 47 enquiry reaches the social worker, the police and the Duty and Assessment Team', () => {
      const held = parsedEvent(
        'strategy_discussion.held',
        {
          episodeRef: ref,
          heldAt: '2026-10-23T09:00:00Z',
          outcome: 'section_47_enquiry',
          note: 'Joint visit today.',
        },
        { time: '2026-10-23T09:30:00Z' },
      );
      const sent = emails([reported, graded, fromSocialCare(held)]);
      expect(sent.map((e) => e.ref)).toEqual(['social-worker', c.roles.police, 'duty-and-assessment']);
      const duty = sent.find((e) => e.ref === 'duty-and-assessment');
      expect(duty?.subject).toBe(
        `[${c.shortName}] Strategy discussion held: section 47 enquiry (ref ${ref})`,
      );
      expect(duty?.text).toContain(
        'A strategy discussion about the child was held on Fri 23 Oct 2026, 10:00 BST. It decided on a section 47 enquiry (child protection enquiries, jointly with the police).',
      );
      expect(duty?.text).toContain('Note: Joint visit today.');
      expect(duty?.text).toContain('within 15 working days');
    });

    test('an acknowledgement reaches the agency that made the referral, saying who acknowledged it and how to reach them', () => {
      const rhiSource = otherSource(c, 'rhi.completed');
      const harm = parsedEvent(
        'rhi.completed',
        {
          episodeRef: ref,
          completedAt: '2026-10-25T10:00:00Z',
          setting: 'neutral',
          concerns: { riskOfHarm: true, immediateSignificantHarm: true, exploitation: false },
        },
        { time: '2026-10-25T10:30:00Z' },
      );
      const ack = parsedEvent(
        'referral.acknowledged',
        {
          episodeRef: ref,
          acknowledgedAt: '2026-10-25T11:00:00Z',
          acknowledgedBy: { name: 'Ali Duty', phone: '020 7946 0002' },
        },
        { time: '2026-10-25T11:05:00Z' },
      );
      const sent = emails([
        reported,
        graded,
        returned,
        { sourceId: rhiSource, event: harm },
        fromSocialCare(ack),
      ]);
      expect(sent.map((e) => e.to)).toEqual([c.agencies[c.roles.rhiProvider]?.inbox.address]);
      expect(sent[0]?.subject).toBe(`[${c.shortName}] Referral acknowledged (ref ${ref})`);
      expect(sent[0]?.text).toContain(
        'The Duty and Assessment Team acknowledged the referral of an immediate risk of significant harm on Sun 25 Oct 2026, 11:00 GMT.',
      );
      expect(sent[0]?.text).toContain(
        `Recorded by Ali Duty, ${c.agencies[c.roles.socialCare]?.name}. Reach them on 020 7946 0002`,
      );
      // Nothing is owed on it any more: only the interviews remain.
      expect(sent[0]?.text).not.toContain('Referral acknowledgement (');
    });

    test('a manager’s review reaches the police and the social worker; a child confirmed safe during an absence, the placing authority', () => {
      const review = parsedEvent(
        'missing.reviewed',
        { episodeRef: ref, reviewedAt: '2026-10-23T12:00:00Z', level: 'manager' },
        { time: '2026-10-23T12:05:00Z' },
      );
      const sent = emails([reported, graded, fromSocialCare(review)]);
      expect(sent.map((e) => e.ref)).toEqual([c.roles.police, 'social-worker']);
      expect(sent[0]?.text).toContain(
        "The plan for the missing child was reviewed by the social worker's manager on Fri 23 Oct 2026, 13:00 BST.",
      );

      const away = parsedEvent(
        'absence.reported',
        reportData(ref, {
          child: { givenName: 'Alex', familyName: 'Example', dateOfBirth: '2011-05-14', lookedAfter: true },
          placingAuthority: { name: 'Placingshire Council', email: 'missing@placingshire.example' },
        }),
        { time: '2026-10-22T19:00:00+01:00' },
      );
      const safe = parsedEvent(
        'absence.safety_confirmed',
        { episodeRef: ref, confirmedAt: '2026-10-23T09:00:00Z' },
        { time: '2026-10-23T09:10:00Z' },
      );
      const toPlacing = emails([away, fromSocialCare(safe)]);
      expect(toPlacing.map((e) => e.to)).toEqual(['missing@placingshire.example']);
      expect(toPlacing[0]?.subject).toBe(`[${c.shortName}] Child confirmed safe (ref ${ref})`);
    });
  },
);
