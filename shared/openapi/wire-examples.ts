import { type DomainError, type DomainErrorKind, domainError } from '../domain-error';
import { admitEvent } from '../episode/admit-event';
import { type EventType, PipelineEvent, type PipelineEventInput } from '../events/event-schemas';
import { parseEvent } from '../events/parse-event';
import type { Accepted } from '../intake/accept-delivery';
import { contentTypeRefusal, MAX_BODY_BYTES, methodRefusal } from '../intake/check-request';
import { type ProblemDocument, problemDocument, serverProblem } from '../intake/problem-document';
import { verifySignature } from '../intake/webhook-signature';

type EventExamples = { [T in EventType]: Extract<PipelineEventInput, { type: T }> };

const envelope = (id: string, time: string) => ({
  specversion: '1.0' as const,
  id,
  source: 'urn:police:met:niche',
  time,
});

/**
 * One realistic event of each type, as an integrator posts it: the fictional child Sam Example, episode
 * MP/2026/004512. The OpenAPI document carries them, and a test parses each with the wire schema.
 */
export const eventExamples: EventExamples = {
  'missing.reported': {
    ...envelope('met-7c1d0e2a-0001', '2026-10-22T19:05:00+01:00'),
    type: 'missing.reported',
    data: {
      episodeRef: 'MP/2026/004512',
      child: {
        givenName: 'Sam',
        familyName: 'Example',
        dateOfBirth: '2011-05-14',
        identifiers: { nhsNumber: '9434765919', localId: 'LBTH-C-20931' },
        lookedAfter: true,
      },
      reportedBy: 'social_care',
      lastSeenAt: '2026-10-22T18:00:00+01:00',
      lastSeenPlace: 'Mile End bus station',
      riskGrade: 'medium',
      riskFactors: ['staying_out_with_peers_or_partners'],
      socialWorker: { email: 'social.worker@essex.example' },
      placingAuthority: { name: 'Essex County Council', email: 'missing.children@essex.example' },
    },
  },
  'absence.reported': {
    ...envelope('school-4410-0007', '2026-10-22T10:15:00+01:00'),
    type: 'absence.reported',
    data: {
      episodeRef: 'SCH/4410/2026-118',
      child: { givenName: 'Sam', familyName: 'Example', dateOfBirth: '2011-05-14' },
      reportedBy: 'school',
      lastSeenAt: '2026-10-22T09:40:00+01:00',
      school: { name: 'Example Academy', urn: '100123' },
    },
  },
  'missing.risk_assessed': {
    ...envelope('met-7c1d0e2a-0002', '2026-10-22T20:00:00+01:00'),
    type: 'missing.risk_assessed',
    data: {
      episodeRef: 'MP/2026/004512',
      riskGrade: 'high',
      assessedAt: '2026-10-22T19:55:00+01:00',
      riskFactors: ['criminal_exploitation'],
    },
  },
  'missing.found': {
    ...envelope('met-7c1d0e2a-0003', '2026-10-24T09:35:00+01:00'),
    type: 'missing.found',
    data: {
      episodeRef: 'MP/2026/004512',
      foundAt: '2026-10-24T09:30:00+01:00',
      returnedHomeAt: '2026-10-24T10:45:00+01:00',
      returnedTo: 'placement',
      harmSuspected: false,
    },
  },
  'prevention_interview.completed': {
    ...envelope('met-7c1d0e2a-0004', '2026-10-24T15:05:00+01:00'),
    type: 'prevention_interview.completed',
    data: {
      episodeRef: 'MP/2026/004512',
      completedAt: '2026-10-24T15:00:00+01:00',
      concerns: { riskOfHarm: true, immediateSignificantHarm: false, exploitation: true },
      recordedBy: { name: 'PC Jo Officer', phone: '020 7946 0123' },
    },
  },
  'rhi.offered': {
    ...envelope('rhi-2026-3391', '2026-10-25T10:00:00Z'),
    type: 'rhi.offered',
    data: {
      episodeRef: 'MP/2026/004512',
      offeredAt: '2026-10-25T10:00:00Z',
      appointmentAt: '2026-10-26T11:00:00Z',
      setting: 'neutral',
    },
  },
  'rhi.completed': {
    ...envelope('rhi-2026-3392', '2026-10-26T12:30:00Z'),
    type: 'rhi.completed',
    data: {
      episodeRef: 'MP/2026/004512',
      completedAt: '2026-10-26T12:00:00Z',
      setting: 'neutral',
      concerns: { riskOfHarm: true, immediateSignificantHarm: false, exploitation: true },
      riskFactors: ['criminal_exploitation', 'fear_of_repercussion'],
      referral: { outcome: 'referred', to: 'Young people’s substance misuse service' },
      recordedBy: { name: 'Jo Worker', email: 'jo.worker@towerhamlets.example' },
    },
  },
  'rhi.declined': {
    ...envelope('rhi-2026-3393', '2026-10-26T12:30:00Z'),
    type: 'rhi.declined',
    data: {
      episodeRef: 'MP/2026/004512',
      declinedAt: '2026-10-26T12:00:00Z',
      reason: 'Did not want to talk about it again so soon.',
    },
  },
  'strategy_discussion.held': {
    ...envelope('lbth-cs-2026-88121', '2026-10-23T11:10:00+01:00'),
    source: 'urn:council:tower-hamlets:social-care',
    type: 'strategy_discussion.held',
    data: {
      episodeRef: 'MP/2026/004512',
      heldAt: '2026-10-23T10:30:00+01:00',
      outcome: 'section_47_enquiry',
      recordedBy: { name: 'Jo Manager', email: 'jo.manager@towerhamlets.example' },
      note: 'Joint section 47 enquiry with the police. Exploitation service to share intelligence today.',
    },
  },
  'referral.acknowledged': {
    ...envelope('lbth-cs-2026-88140', '2026-10-26T12:40:00Z'),
    source: 'urn:council:tower-hamlets:social-care',
    type: 'referral.acknowledged',
    data: {
      episodeRef: 'MP/2026/004512',
      acknowledgedAt: '2026-10-26T12:35:00Z',
      acknowledgedBy: { name: 'Ali Duty', phone: '020 7946 0002' },
    },
  },
  'missing.reviewed': {
    ...envelope('lbth-cs-2026-88119', '2026-10-23T17:20:00+01:00'),
    source: 'urn:council:tower-hamlets:social-care',
    type: 'missing.reviewed',
    data: {
      episodeRef: 'MP/2026/004512',
      reviewedAt: '2026-10-23T17:00:00+01:00',
      level: 'manager',
      recordedBy: { name: 'Jo Manager', email: 'jo.manager@towerhamlets.example' },
      note: 'Plan for return reviewed with the police and the foster carer.',
    },
  },
  'absence.safety_confirmed': {
    ...envelope('lbth-cs-2026-88102', '2026-10-22T15:10:00+01:00'),
    source: 'urn:council:tower-hamlets:social-care',
    type: 'absence.safety_confirmed',
    data: {
      episodeRef: 'SCH/4410/2026-118',
      confirmedAt: '2026-10-22T15:00:00+01:00',
      recordedBy: { name: 'Sam Social Worker', phone: '020 7946 0003' },
      note: 'Spoke to the child by phone at their aunt’s flat; collected by their parent at 18:00.',
    },
  },
  'episode.withdrawn': {
    ...envelope('met-7c1d0e2a-0005', '2026-10-22T21:00:00+01:00'),
    type: 'episode.withdrawn',
    data: { episodeRef: 'MP/2026/004512', reason: 'Reported in error: the child was at a relative’s home.' },
  },
};

export const acceptedExample: Accepted = {
  episodeId: '3f2b8c1e-6a0d-4e57-9b7a-2c4d8e1f0a93',
  status: 'missing',
  duplicate: false,
};

export const duplicateExample: Accepted = { ...acceptedExample, duplicate: true };

const now = '2026-10-24T10:00:00Z';
const refused = (error: DomainError | undefined): ProblemDocument => {
  if (!error) throw new Error('the example was meant to be refused');
  return problemDocument(error);
};
const report = eventExamples['missing.reported'];
const reportBody = JSON.stringify(report);
const stale = verifySignature(
  Buffer.from(reportBody),
  { 'webhook-id': report.id, 'webhook-timestamp': '1792692300', 'webhook-signature': 'v1,c3RhbGU=' },
  ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
);
const broken = parseEvent({
  ...report,
  data: {
    ...report.data,
    lastSeenAt: undefined,
    child: {
      ...report.data.child,
      dateOfBirth: '14/05/2011',
      // The last digit mistyped: the Modulus 11 check digit catches it.
      identifiers: { ...report.data.child.identifiers, nhsNumber: '9434765918' },
    },
  },
});

/**
 * One problem document for each error answer, made by the intake's own functions from a request that
 * earns it, so the examples say what the endpoint says.
 */
export const problemExamples: Record<DomainErrorKind, ProblemDocument> = {
  invalid: refused(
    broken.ok ? undefined : domainError('invalid', 'the event does not match its schema', broken.issues),
  ),
  unauthorised: refused(
    stale.ok ? undefined : domainError('unauthorised', stale.issue.message, [stale.issue]),
  ),
  forbidden: refused(
    domainError('forbidden', 'source "schools" may not send missing.found', [
      { field: 'type', message: 'is not allowed for this source' },
    ]),
  ),
  not_found: refused(domainError('not_found', 'this council has no source "met-polise"')),
  conflict: refused(
    admitEvent(PipelineEvent.parse(eventExamples['missing.found']), undefined, now, 'Europe/London'),
  ),
  too_large: refused(domainError('too_large', `the body is over ${MAX_BODY_BYTES} bytes`)),
  unsupported_media_type: refused(contentTypeRefusal('text/plain; charset=utf-8')),
  method_not_allowed: refused(methodRefusal('GET')),
  unprocessable: refused(
    admitEvent(
      PipelineEvent.parse({
        ...report,
        data: { ...report.data, child: { ...report.data.child, dateOfBirth: '2001-05-14' } },
      }),
      undefined,
      now,
      'Europe/London',
    ),
  ),
};

/** What a failure of the pipeline itself answers: retry the same delivery. */
export const serverErrorExample = serverProblem();
