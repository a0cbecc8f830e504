import { describe, expect, test } from 'vitest';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { bathNes, towerHamlets } from '../../support/councils';
import { emailsFor, type Sent } from '../../support/episode-record';
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
