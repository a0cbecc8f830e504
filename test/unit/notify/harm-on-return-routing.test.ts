import { describe, expect, test } from 'vitest';
import { councils } from '../../support/councils';
import { emailsFor } from '../../support/episode-record';
import { parsedEvent, reportData } from '../../support/events';

const returnWith = (harmSuspected: boolean) => {
  const report = parsedEvent('missing.reported', reportData('REF-HARM-1'), {
    time: '2026-10-22T19:00:00+01:00',
  });
  const found = parsedEvent(
    'missing.found',
    { episodeRef: 'REF-HARM-1', foundAt: '2026-10-24T09:30:00+01:00', harmSuspected },
    { time: '2026-10-24T09:40:00+01:00' },
  );
  return [report, found];
};

describe.each(councils)('$shortName: a return where the police suspect harm', (council) => {
  test('reaches the Duty and Assessment Team and the safeguarding lead, for child protection procedures', () => {
    const refs = emailsFor(council, returnWith(true)).map((email) => email.ref);
    expect(refs).toEqual(expect.arrayContaining(['duty-and-assessment', 'safeguarding-lead']));
  });

  test('a return with no harm suspected does not', () => {
    const refs = emailsFor(council, returnWith(false)).map((email) => email.ref);
    expect(refs).not.toContain('duty-and-assessment');
    expect(refs).not.toContain('safeguarding-lead');
  });
});
