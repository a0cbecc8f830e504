import { describe, expect, test } from 'vitest';
import { eventEmail } from '../../../shared/email/event-email';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { type Delivery, routeEvent } from '../../../shared/routing/route-event';
import { bathNes, towerHamlets } from '../../support/councils';
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

const emailFor = (events: PipelineEvent[], ref: string, c = council) => {
  const episode = foldEpisode(events, { council: c });
  if (!episode) throw new Error('no episode');
  const event = events.at(-1) as PipelineEvent;
  const delivery = routeEvent(event, episode, c).find((d) => d.recipient.ref === ref) as Delivery;
  expect(delivery, `a delivery to ${ref}`).toBeDefined();
  return eventEmail({ event, episode, delivery, council: c, now });
};

describe('the email about an event', () => {
  test('the subject names the council, what happened, the deadline in local time and the reference, never the child', () => {
    const email = emailFor([report, found], 'exploitation-service');
    expect(email.subject).toBe(
      '[LBTH] Child returned: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0001)',
    );
  });

  test('the police are told their own deadline in the subject, and how long they have in the body', () => {
    const email = emailFor([report, found], 'met-police');
    expect(email.subject).toBe(
      '[LBTH] Child returned: Prevention Interview due Tue 27 Oct 2026, 08:30 GMT (ref MPS-2026-0001)',
    );
    expect(email.text).toContain('By Tue 27 Oct 2026, 08:30 GMT (in 2 days 23 hours).');
  });

  test('a report names the risk grade in the subject and the flags in the body', () => {
    const email = emailFor([report], 'met-police');
    expect(email.subject).toBe('[LBTH] Child reported missing, high risk (ref MPS-2026-0001)');
    expect(email.text).toContain('Police risk grade: high');
    expect(email.text).toContain('Looked after by the local authority');
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
    const episode = foldEpisode([repeat], {
      council,
      otherEpisodeReports: ['2026-09-01T10:00:00Z', '2026-09-15T10:00:00Z', '2026-10-01T10:00:00Z'],
    });
    if (!episode) throw new Error('no episode');
    const delivery = routeEvent(repeat, episode, council).find((d) => d.recipient.ref === 'missing-managers');
    if (!delivery) throw new Error('managers hear of a repeat episode');
    const email = eventEmail({ event: repeat, episode, delivery, council, now });
    expect(email.text).toContain('Repeat missing: 3 earlier episodes');
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
      'Request for Service form: https://www.bathnes.gov.uk/services/children-young-people-and-families/child-protection',
    );
    expect(email.html).toContain(
      '<a href="https://www.bathnes.gov.uk/services/children-young-people-and-families/child-protection">Request for Service form</a>',
    );
    expect(email.text).toContain('Protocol: B&NES missing children procedure (One Minute Guide)');
    const lbth = emailFor([report], 'met-police');
    expect(lbth.text).toContain('Support and advice: exploitation.team@towerhamlets.gov.uk');
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
    expect(email.subject).toBe(
      '[B&NES] Return Home Interview completed: immediate risk of significant harm (ref ASP-2026-0002)',
    );
    expect(email.text).toContain('Concerns: immediate risk of significant harm, risk of harm.');
  });
});

describe.each([towerHamlets, bathNes])('$shortName subjects', (c) => {
  test('no subject of any email on a whole episode names the child or their date of birth', () => {
    const ref = `${c.id.toUpperCase()}-SUBJECTS`;
    const events = fullEpisode(ref);
    const subjects = events.flatMap((event, i) => {
      const episode = foldEpisode(events.slice(0, i + 1), { council: c });
      if (!episode) throw new Error('no episode');
      return routeEvent(event, episode, c).map(
        (delivery) => eventEmail({ event, episode, delivery, council: c, now }).subject,
      );
    });
    expect(subjects.length).toBeGreaterThan(8);
    for (const subject of subjects) {
      expect(subject.startsWith(`[${c.shortName}] `)).toBe(true);
      expect(subject.endsWith(` (ref ${ref})`)).toBe(true);
      expect(subject).not.toMatch(/Alex|Example|2011|14 May/);
    }
  });
});
