import { describe, expect, it } from 'vitest';
import type { ChildDetails } from '../../../shared/events/event-schemas';
import type { OutgoingEmail } from '../../../shared/ports';
import { towerHamlets as council } from '../../support/councils';
import { parsedEvent, reportData } from '../../support/events';
import { nhsNumberFor } from '../../support/identifiers';
import { intakeAndNotify } from '../../support/intake-and-notify';

const managers = council.agencies[council.roles.managers]?.inbox.address ?? '';
const nhs = nhsNumberFor(11);
const alex: ChildDetails = {
  givenName: 'Alexandra',
  familyName: 'Example',
  dateOfBirth: '2011-05-14',
  lookedAfter: false,
  identifiers: { nhsNumber: nhs },
};
const sam: ChildDetails = {
  givenName: 'Samira',
  familyName: 'Other',
  dateOfBirth: '2012-02-03',
  lookedAfter: false,
};

let sequence = 0;
const report = (episodeRef: string, child: ChildDetails, reportedBy: 'police' | 'school' = 'police') =>
  parsedEvent('missing.reported', reportData(episodeRef, { child, reportedBy }), {
    id: `${episodeRef}-${++sequence}`,
    time: `2026-10-2${Math.min(sequence, 9)}T10:00:00Z`,
  });
const reviews = (sent: OutgoingEmail[]) =>
  sent.filter((email) => email.subject.includes('Possible duplicate or conflicting record'));

describe("a report the registry cannot place without doubt, for the managers' review", () => {
  it('an NHS number of one child with the name and date of birth of another: joins the first, merges nothing, and the managers are asked once, naming both references and no detail of the child', async () => {
    const pipeline = intakeAndNotify(council);
    const first = await pipeline.deliver('met-police', report('MPS-A', alex));
    const second = await pipeline.deliver('schools', report('SCH-B', sam, 'school'));
    const mixed = { ...sam, identifiers: { nhsNumber: nhs } };
    const third = await pipeline.deliver('met-police', report('MPS-C', mixed));
    await pipeline.notify(2);

    expect(third.episodeId).toBe(first.episodeId);
    const childOf = async (episodeId: string) => (await pipeline.store.getEpisode(episodeId))?.childId;
    expect(await childOf(second.episodeId)).not.toBe(await childOf(first.episodeId));
    const [email, ...more] = reviews(pipeline.mailer.sent);
    expect(more).toEqual([]);
    expect(email?.to).toEqual([managers]);
    expect(email?.subject).toBe('[LBTH] Possible duplicate or conflicting record: refs MPS-C and SCH-B');
    expect(email?.text).toContain(
      'By its NHS number it is the child of episode MPS-A; by its name and date of birth, the child of episode SCH-B',
    );
    for (const detail of ['Alexandra', 'Samira', 'Example', 'Other', nhs, '2011', '2012']) {
      expect(`${email?.subject}\n${email?.text}\n${email?.html}`).not.toContain(detail);
    }

    // The same conflict again, from another report: the managers already have it.
    await pipeline.deliver('met-police', report('MPS-D', mixed));
    await pipeline.notify();
    expect(reviews(pipeline.mailer.sent)).toHaveLength(1);
  });

  it('a strong identifier with another date of birth: joins the child it names, records neither that date nor the name with it, and asks once', async () => {
    const pipeline = intakeAndNotify(council);
    const first = await pipeline.deliver('met-police', report('MPS-E', alex));
    const otherBirthday = { ...alex, dateOfBirth: '2011-05-15' };
    const second = await pipeline.deliver('schools', report('SCH-F', otherBirthday, 'school'));
    await pipeline.notify();
    expect(second.episodeId).toBe(first.episodeId);
    expect(reviews(pipeline.mailer.sent).map((e) => e.subject)).toEqual([
      '[LBTH] Possible duplicate or conflicting record: refs SCH-F and MPS-E',
    ]);
    expect(reviews(pipeline.mailer.sent)[0]?.text).toContain(
      'By its NHS number it is the child of episode MPS-E, but that child is recorded with another date of birth',
    );

    // The name with the other date of birth was not recorded: a report with only those is another child.
    const { identifiers: _none, ...withoutNhs } = otherBirthday;
    const third = await pipeline.deliver('schools', report('SCH-G', withoutNhs, 'school'));
    expect(third.episodeId).not.toBe(first.episodeId);
  });

  it('an NHS number other than the one of the child its name found: recorded as another child, and asked once', async () => {
    const pipeline = intakeAndNotify(council);
    const first = await pipeline.deliver('met-police', report('MPS-H', alex));
    const twin = { ...alex, identifiers: { nhsNumber: nhsNumberFor(12) } };
    const second = await pipeline.deliver('met-police', report('MPS-I', twin));
    await pipeline.notify();
    expect(second.episodeId).not.toBe(first.episodeId);
    const [email, ...more] = reviews(pipeline.mailer.sent);
    expect(more).toEqual([]);
    expect(email?.text).toContain(
      'By its name and date of birth it matches the child of episode MPS-H, but that child is recorded with another NHS number',
    );
  });
});
