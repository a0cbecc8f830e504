import type { DomainErrorKind } from '../domain-error';
import type { EventType, PipelineEventInput } from '../events/event-schemas';
import type { AcceptedAnswer, ProblemDocument } from './intake-answers';
import { problemStatus } from './intake-answers';

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
      socialWorker: { email: 'social.worker@towerhamlets.example' },
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
    },
  },
  'rhi.declined': {
    ...envelope('rhi-2026-3393', '2026-10-26T12:30:00Z'),
    type: 'rhi.declined',
    data: { episodeRef: 'MP/2026/004512', declinedAt: '2026-10-26T12:00:00Z' },
  },
  'episode.withdrawn': {
    ...envelope('met-7c1d0e2a-0005', '2026-10-22T21:00:00+01:00'),
    type: 'episode.withdrawn',
    data: { episodeRef: 'MP/2026/004512', reason: 'Reported in error: the child was at a relative’s home.' },
  },
};

export const acceptedExample: AcceptedAnswer = {
  episodeId: '01JB7Q2M4S9V6X8Z0C3E5G7J9K',
  status: 'missing',
  duplicate: false,
};

export const duplicateExample: AcceptedAnswer = { ...acceptedExample, duplicate: true };

const problem = (
  kind: DomainErrorKind,
  title: string,
  detail: string,
  errors?: ProblemDocument['errors'],
): ProblemDocument => ({
  type: `urn:missing-child-pipeline:problem:${kind.replace('_', '-')}`,
  title,
  status: problemStatus[kind],
  detail,
  ...(errors ? { errors } : {}),
});

/** One problem document for each error answer, keyed by its domain failure. */
export const problemExamples: Record<DomainErrorKind, ProblemDocument> = {
  invalid: problem('invalid', 'Malformed event', 'The event does not match the v1 wire contract.', [
    { field: 'data.child.dateOfBirth', message: 'Invalid ISO date' },
    { field: 'data.lastSeenAt', message: 'Invalid input: expected string, received undefined' },
  ]),
  unauthorised: problem(
    'unauthorised',
    'Bad or stale signature',
    'No webhook-signature matched an active secret of this source, or webhook-timestamp is more than 5 minutes from now.',
  ),
  forbidden: problem(
    'forbidden',
    'Event type not allowed',
    'Source "schools" may not send "missing.found".',
    [{ field: 'type', message: 'not allowed for this source' }],
  ),
  not_found: problem('not_found', 'Unknown source', 'No source "met-polise" in this council.'),
  conflict: problem(
    'conflict',
    'Conflicts with the episode',
    'Episode MP/2026/004512 is withdrawn; it takes no further events.',
  ),
  too_large: problem('too_large', 'Event too large', 'The body is larger than this endpoint accepts.'),
  unprocessable: problem(
    'unprocessable',
    'Breaks a domain rule',
    'The child is 18 or over on the day last seen; this pipeline is for children.',
    [{ field: 'data.child.dateOfBirth', message: 'the child must be under 18' }],
  ),
};
