import { describe, expect, test } from 'vitest';
import { foldEpisode } from '../../../shared/episode/fold-episode';
import { routeEvent } from '../../../shared/routing/route-event';
import { councils } from '../../support/councils';
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
  return { events: [report, found], found };
};

describe.each(councils)('$shortName: a return where the police suspect harm', (council) => {
  test('reaches the Duty and Assessment Team and the safeguarding lead, for child protection procedures', () => {
    const { events, found } = returnWith(true);
    const episode = foldEpisode(events, { council });
    if (!episode) throw new Error('no episode');
    const refs = routeEvent(found, episode, council).map((d) => d.recipient.ref);
    expect(refs).toEqual(expect.arrayContaining(['duty-and-assessment', 'safeguarding-lead']));
  });

  test('a return with no harm suspected does not', () => {
    const { events, found } = returnWith(false);
    const episode = foldEpisode(events, { council });
    if (!episode) throw new Error('no episode');
    const refs = routeEvent(found, episode, council).map((d) => d.recipient.ref);
    expect(refs).not.toContain('duty-and-assessment');
    expect(refs).not.toContain('safeguarding-lead');
  });
});
