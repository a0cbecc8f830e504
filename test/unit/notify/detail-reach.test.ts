import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { StepLink } from '../../../shared/actions/action-links';
import type { CouncilConfig } from '../../../shared/council/council-schema';
import { deadlineNotices, noticeKey } from '../../../shared/deadlines/deadline-notices';
import { factorWords } from '../../../shared/email/episode-sections';
import {
  type DetailCategory,
  riskFactorCategories,
  specialCategories,
} from '../../../shared/events/detail-categories';
import type { PipelineEvent } from '../../../shared/events/event-schemas';
import { RiskFactor } from '../../../shared/events/risk-factors';
import { noticeEmails } from '../../../shared/notify/fire-notice';
import { bathNes, councils, towerHamlets } from '../../support/councils';
import { emailsFor, episodeRecord, otherSource, policeSource, type Sent } from '../../support/episode-record';
import { parsedEvent, reportData } from '../../support/events';

/**
 * Which details about the child reach each agency, read back from the emails the notify and reminder code
 * really renders for whole episodes: every field carries a value found nowhere else, so finding it in an
 * email means that detail reached that inbox.
 */
const ref = 'REACH-1';
const sentinel = {
  givenName: 'Quenby',
  familyName: 'Zephyrine',
  dateOfBirth: '2011-05-14',
  nhsNumber: '9434765919',
  upn: 'U80120000100A',
  localId: 'LOCAL-77QX',
  lastSeenPlace: 'Lastseen Lane',
  foundPlace: 'Foundplace Park',
  school: 'Sentinel Academy',
  circumstances: 'Xcircumstancesx',
  declined: 'Xdeclinedx',
  referral: 'Xreferralx',
  withdrawn: 'Xwithdrawnx',
  placing: 'Placingshire Council',
  socialWorker: 'sw.sentinel@placingshire.example',
  note: 'Xnotex',
};

/** What an email shows, as categories: each detail found in it, and each risk factor it names. */
const observed = (email: { subject: string; text: string; html: string }): Set<DetailCategory> => {
  const all = `${email.subject}\n${email.text}\n${email.html}`;
  const has = (...needles: string[]) => needles.some((n) => all.includes(n));
  const seen = new Set<DetailCategory>();
  const when = (category: DetailCategory, found: boolean) => found && seen.add(category);
  when('identity', has(sentinel.givenName, sentinel.familyName, sentinel.dateOfBirth));
  when('identifiers', has(sentinel.nhsNumber, sentinel.upn, sentinel.localId));
  // The school's name, except where it is the recipient's own (the school is told it is the addressee).
  when(
    'whereabouts',
    has(
      sentinel.lastSeenPlace,
      sentinel.foundPlace,
      `School: ${sentinel.school}`,
      `by ${sentinel.school}`,
      'Returned to:',
    ),
  );
  when(
    'free_text',
    has(sentinel.circumstances, sentinel.declined, sentinel.referral, sentinel.withdrawn, sentinel.note),
  );
  when(
    'risk',
    has('Police risk grade', 'assessed the risk as', 'Repeat missing', ', high risk', 'graded the child'),
  );
  when(
    'care',
    has(
      'Missing from care',
      'missing from care',
      'Away from placement',
      'away from placement',
      sentinel.placing,
      sentinel.socialWorker,
    ),
  );
  when(
    'concerns',
    has(
      'Concerns:',
      'No concerns recorded',
      'Harm suspected',
      'suffered harm',
      'referred on',
      'signposted on',
      'immediate risk of significant harm',
      'Referral acknowledgement',
      'section 47',
    ),
  );
  for (const factor of namedFactors(email.text)) for (const c of riskFactorCategories[factor]) seen.add(c);
  return seen;
};

/** The risk factors an email names, read from the lines that list them. */
const namedFactors = (text: string): RiskFactor[] => {
  const byWords = new Map(RiskFactor.options.map((f) => [factorWords(f), f]));
  return text
    .split('\n')
    .map((line) =>
      /^(?:Exploitation risk|Other risk factors|Newly recorded risk factors): (.*?)\.?$/.exec(line),
    )
    .flatMap((match) => match?.[1]?.split(', ') ?? [])
    .map((words) => {
      const factor = byWords.get(words);
      if (!factor) throw new Error(`an email names an unknown risk factor "${words}"`);
      return factor;
    });
};

interface Story {
  lookedAfter: boolean;
  named: boolean;
  reportedBySchool: boolean;
  factors: RiskFactor[];
  concerns: { riskOfHarm: boolean; immediateSignificantHarm: boolean; exploitation: boolean };
  harmSuspected: boolean;
  declined: boolean;
  withdrawn: boolean;
  /** Social care's own steps while the child is missing: a manager's review and a strategy discussion. */
  casework: boolean;
  /** The Duty and Assessment Team acknowledges an immediate-harm referral. */
  acknowledged: boolean;
}

/** A whole episode, report to RHI (or withdrawal), with every detail the story calls for. */
const episodeOf = (council: CouncilConfig, story: Story): Sent[] => {
  const police = policeSource(council);
  const rhiSource = otherSource(council, 'rhi.completed');
  const half = Math.ceil(story.factors.length / 2);
  const at = (day: number, hour: number) => `2026-10-${day}T${String(hour).padStart(2, '0')}:00:00Z`;
  const report = parsedEvent(
    'missing.reported',
    reportData(ref, {
      child: {
        givenName: sentinel.givenName,
        familyName: sentinel.familyName,
        dateOfBirth: sentinel.dateOfBirth,
        identifiers: { nhsNumber: sentinel.nhsNumber, upn: sentinel.upn, localId: sentinel.localId },
        lookedAfter: story.lookedAfter,
      },
      reportedBy: story.reportedBySchool ? 'school' : 'police',
      lastSeenAt: at(22, 17),
      lastSeenPlace: sentinel.lastSeenPlace,
      circumstances: sentinel.circumstances,
      riskGrade: 'medium',
      riskFactors: story.factors.slice(0, half),
      school: story.named
        ? { name: sentinel.school, email: 'dsl@sentinel-academy.example' }
        : { name: sentinel.school },
      ...(story.named ? { socialWorker: { email: sentinel.socialWorker } } : {}),
      ...(story.named && story.lookedAfter
        ? { placingAuthority: { name: sentinel.placing, email: 'missing@placingshire.example' } }
        : {}),
    }),
    { id: `${ref}-1`, time: at(22, 18) },
  );
  const socialCare = 'childrens-social-care';
  const steps: Sent[] = [
    { sourceId: story.reportedBySchool ? otherSource(council, 'missing.reported') : police, event: report },
    {
      sourceId: police,
      event: parsedEvent(
        'missing.risk_assessed',
        { episodeRef: ref, riskGrade: 'high', riskFactors: story.factors.slice(half) },
        { id: `${ref}-2`, time: at(22, 19) },
      ),
    },
    ...(story.casework
      ? [
          {
            sourceId: socialCare,
            event: parsedEvent(
              'missing.reviewed',
              { episodeRef: ref, reviewedAt: at(22, 20), level: 'manager', note: sentinel.note },
              { id: `${ref}-c1`, time: at(22, 20) },
            ),
          },
          {
            sourceId: socialCare,
            event: parsedEvent(
              'strategy_discussion.held',
              { episodeRef: ref, heldAt: at(23, 9), outcome: 'section_47_enquiry', note: sentinel.note },
              { id: `${ref}-c2`, time: at(23, 9) },
            ),
          },
        ]
      : []),
  ];
  if (story.withdrawn) {
    return [
      ...steps,
      {
        sourceId: police,
        event: parsedEvent(
          'episode.withdrawn',
          { episodeRef: ref, reason: sentinel.withdrawn },
          { id: `${ref}-9`, time: at(22, 20) },
        ),
      },
    ];
  }
  const later: [string, PipelineEvent][] = [
    [
      police,
      parsedEvent(
        'missing.found',
        {
          episodeRef: ref,
          foundAt: at(24, 8),
          returnedHomeAt: at(24, 10),
          foundPlace: sentinel.foundPlace,
          returnedTo: 'home',
          harmSuspected: story.harmSuspected,
        },
        { id: `${ref}-3`, time: at(24, 11) },
      ),
    ],
    [
      police,
      parsedEvent(
        'prevention_interview.completed',
        { episodeRef: ref, completedAt: at(24, 15), concerns: story.concerns },
        { id: `${ref}-4`, time: at(24, 16) },
      ),
    ],
    [
      rhiSource,
      story.declined
        ? parsedEvent(
            'rhi.declined',
            { episodeRef: ref, declinedAt: at(25, 10), reason: sentinel.declined },
            { id: `${ref}-5`, time: at(25, 11) },
          )
        : parsedEvent(
            'rhi.completed',
            {
              episodeRef: ref,
              completedAt: at(25, 10),
              setting: 'neutral',
              concerns: story.concerns,
              referral: { outcome: 'referred', to: sentinel.referral },
            },
            { id: `${ref}-5`, time: at(25, 11) },
          ),
    ],
  ];
  const immediateHarm = story.harmSuspected || story.concerns.immediateSignificantHarm;
  const acknowledgement: [string, PipelineEvent][] =
    story.acknowledged && immediateHarm
      ? [
          [
            socialCare,
            parsedEvent(
              'referral.acknowledged',
              { episodeRef: ref, acknowledgedAt: at(25, 12), acknowledgedBy: { name: 'Ali Duty' } },
              { id: `${ref}-6`, time: at(25, 12) },
            ),
          ],
        ]
      : [];
  return [...steps, ...[...later, ...acknowledgement].map(([sourceId, event]) => ({ sourceId, event }))];
};

type Email = {
  to: string;
  subject: string;
  text: string;
  html: string;
  details: ReadonlySet<DetailCategory>;
};

/** The emails' buttons as they are issued: a link says only which step and for which agency. */
const link: StepLink = (step, agencyId) => `https://pages.example/v1/actions?token=${step}.${agencyId}`;

/** Every email of the episode: each event's, as it arrives, and every reminder and escalation of the return. */
const everyEmail = (council: CouncilConfig, story: Story): Email[] => {
  const steps = episodeOf(council, story);
  const history = [{ reportedAt: '2026-09-20T10:00:00Z', kind: 'missing' as const }];
  const events = steps.flatMap((_, i) =>
    emailsFor(council, steps.slice(0, i + 1), { otherEpisodes: [...history, ...history], link }).map((e) => ({
      ...e,
      details: e.recipient.details,
    })),
  );
  // Every notice any step called for (while missing, after the return, on immediate harm), as it first did.
  const keys = new Set<string>();
  const notices = steps.flatMap((_, i) => {
    const record = episodeRecord(council, steps.slice(0, i + 1));
    const fresh = deadlineNotices(record.state, council).filter(
      (n) => !keys.has(noticeKey(n)) && keys.add(noticeKey(n)),
    );
    return fresh.flatMap((notice) =>
      noticeEmails(record, notice, council, notice.fireAt, link).map(({ recipient, email }) => ({
        to: recipient.address,
        details: recipient.details,
        ...email,
      })),
    );
  });
  return [...events, ...notices];
};

const everything: Story = {
  lookedAfter: false,
  named: false,
  reportedBySchool: false,
  factors: [...RiskFactor.options],
  concerns: { riskOfHarm: true, immediateSignificantHarm: true, exploitation: true },
  harmSuspected: true,
  declined: false,
  withdrawn: false,
  casework: true,
  acknowledged: false,
};

/** Which categories reached each inbox over these stories. */
const reach = (council: CouncilConfig, stories: Story[]) => {
  const byInbox = new Map<string, Set<DetailCategory>>();
  for (const email of stories.flatMap((story) => everyEmail(council, story))) {
    const seen = byInbox.get(email.to) ?? new Set<DetailCategory>();
    for (const category of observed(email)) seen.add(category);
    byInbox.set(email.to, seen);
  }
  return Object.fromEntries(
    Object.entries(council.agencies).map(([id, agency]) => [
      id,
      [...(byInbox.get(agency.inbox.address) ?? [])].sort(),
    ]),
  );
};

const allCategories: DetailCategory[] = [
  'abuse',
  'care',
  'concerns',
  'crime',
  'education',
  'exploitation',
  'fgm_or_forced_marriage',
  'free_text',
  'health',
  'identifiers',
  'identity',
  'pregnancy',
  'relationships',
  'risk',
  'sexual_exploitation',
  'whereabouts',
];
const headOfService = ['care', 'identifiers', 'identity', 'risk', 'whereabouts'];
const stories: Story[] = [
  everything,
  { ...everything, lookedAfter: true },
  { ...everything, reportedBySchool: true, declined: true },
  { ...everything, withdrawn: true },
  { ...everything, casework: false, acknowledged: true },
];

describe('which details about the child reach each agency, read from the emails of whole episodes', () => {
  test('Tower Hamlets: schools get identity and education only; managers the risk; supervisors identity and risk', () => {
    expect(reach(towerHamlets, stories)).toEqual({
      'met-police': allCategories,
      'met-police-supervisors': ['identifiers', 'identity', 'risk'],
      'exploitation-service': allCategories,
      'childrens-social-care': allCategories,
      'duty-and-assessment': allCategories,
      // Told when an immediate-harm referral goes unacknowledged, as is the out-of-hours service.
      'duty-and-assessment-manager': allCategories,
      'emergency-duty-team': allCategories,
      'safeguarding-lead': allCategories,
      // Tower Hamlets' guide asks nothing of Early Help.
      'early-help': [],
      'education-safeguarding': ['education', 'identity'],
      'missing-managers': ['risk'],
      // Told of a child missing 72 hours with no senior review: who the child is, where last seen, the risk.
      'head-of-service': headOfService,
    });
  });

  test('Bath and North East Somerset: Early Help gets no special category; the exploitation team no health, pregnancy, FGM or abuse', () => {
    expect(reach(bathNes, stories)).toEqual({
      'avon-somerset-police': allCategories,
      'avon-somerset-police-supervisors': ['identifiers', 'identity', 'risk'],
      'youth-offending-service': allCategories,
      'exploitation-team': [
        'care',
        'concerns',
        'crime',
        'exploitation',
        'free_text',
        'identifiers',
        'identity',
        'relationships',
        'risk',
        'sexual_exploitation',
        'whereabouts',
      ],
      'childrens-social-care': allCategories,
      'duty-and-assessment': allCategories,
      'duty-and-assessment-manager': allCategories,
      'emergency-duty-team': allCategories,
      'safeguarding-lead': allCategories,
      'early-help': ['concerns', 'education', 'identifiers', 'identity', 'relationships', 'risk'],
      'education-safeguarding': ['education', 'identity'],
      'missing-managers': ['risk'],
      'head-of-service': headOfService,
    });
  });

  test.each(councils)(
    '$id: a school named in the report gets what education safeguarding gets, and never more',
    (council) => {
      const named = { ...everything, named: true };
      const toSchool = [named, { ...named, lookedAfter: true }]
        .flatMap((story) => everyEmail(council, story))
        .filter((email) => email.to === 'dsl@sentinel-academy.example');
      expect(toSchool.length).toBeGreaterThan(1);
      const seen = new Set(toSchool.flatMap((email) => [...observed(email)]));
      expect([...seen].sort()).toEqual(['education', 'identity']);
    },
  );

  test.each(councils)(
    '$id: no email of any episode carries a detail its recipient does not hold, and a school or Early Help never a special category',
    (council) => {
      const schoolInboxes = new Set([
        council.agencies[council.roles.schools]?.inbox.address,
        council.agencies[council.roles.earlyHelp]?.inbox.address,
        'dsl@sentinel-academy.example',
      ]);
      const story = fc.record({
        lookedAfter: fc.boolean(),
        named: fc.boolean(),
        reportedBySchool: fc.boolean(),
        factors: fc.subarray([...RiskFactor.options]),
        concerns: fc.record({
          riskOfHarm: fc.boolean(),
          immediateSignificantHarm: fc.boolean(),
          exploitation: fc.boolean(),
        }),
        harmSuspected: fc.boolean(),
        declined: fc.boolean(),
        withdrawn: fc.boolean(),
        casework: fc.boolean(),
        acknowledged: fc.boolean(),
      });
      fc.assert(
        fc.property(story, (s) => {
          for (const email of everyEmail(council, s)) {
            const seen = [...observed(email)];
            expect(
              seen.filter((c) => !email.details.has(c)),
              `${email.to}: ${email.subject}`,
            ).toEqual([]);
            if (schoolInboxes.has(email.to)) {
              expect(seen.filter((c) => specialCategories.includes(c))).toEqual([]);
            }
          }
        }),
        { numRuns: 60 },
      );
    },
  );
});
