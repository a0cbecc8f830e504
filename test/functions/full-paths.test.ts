import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, test } from 'vitest';
import { createDispatchHandler } from '../../functions/dispatch/dispatch-handler';
import { createIntakeHandler } from '../../functions/intake/intake-handler';
import { createNotifyHandler } from '../../functions/notify/notify-handler';
import { createReminderHandler } from '../../functions/reminder/reminder-handler';
import { createSweepHandler } from '../../functions/sweep/sweep-handler';
import { EnvSecretSource, sourceSecretVariable } from '../../shared/adapters/env-secret-source';
import type { CouncilConfig } from '../../shared/council/council-schema';
import { type DeadlineNotice, noticeKey } from '../../shared/deadlines/deadline-notices';
import type { PipelineEvent } from '../../shared/events/event-schemas';
import type { DeadlineScheduler, ReminderInvocation, RoutingMessage } from '../../shared/ports';
import { addHours, compareInstants } from '../../shared/time/instant';
import { bathNes, towerHamlets } from '../support/councils';
import { fullEpisode, parsedEvent, reportData } from '../support/events';
import { MemoryEpisodeStore } from '../support/memory-episode-store';
import {
  deadlineQueueEvent,
  FakeMailer,
  outboxRecord,
  settableClock,
  sqsRecord,
} from '../support/notify-fakes';
import { testPseudonymKey } from '../support/pseudonym-key';
import { newSecret, signedRequest } from './intake/signed-request';

/**
 * One council's pipeline with the real handlers wired as in AWS: intake -> the table's stream (its outbox
 * items) -> dispatch -> queue -> notify, and the Scheduler's one-time schedules (or the dispatcher, for a
 * notice already due) -> the deadline queue -> reminder, with the sweep behind them. Only the ports are in
 * memory.
 */
const pipeline = (council: CouncilConfig) => {
  const store = new MemoryEpisodeStore();
  const mailer = new FakeMailer();
  const clock = settableClock('2026-10-01T00:00:00Z');
  const logger = new Logger({ serviceName: 'full-path', logLevel: 'SILENT' });
  const secrets = Object.fromEntries(Object.keys(council.sources).map((id) => [id, newSecret()]));
  const queued: RoutingMessage[] = [];
  const dueNow: ReminderInvocation[] = [];
  const schedules = new Map<string, { episodeId: string; notice: DeadlineNotice }>();
  const scheduler: DeadlineScheduler = {
    schedule: async (episodeId, notice) => {
      schedules.set(`${episodeId}/${noticeKey(notice)}`, { episodeId, notice });
    },
    cancel: async (episodeId, notice) => {
      schedules.delete(`${episodeId}/${noticeKey(notice)}`);
    },
  };
  const env = Object.fromEntries(Object.entries(secrets).map(([id, s]) => [sourceSecretVariable(id), s]));
  const deps = { store, mailer, clock, council, logger };
  const intake = createIntakeHandler({
    ...deps,
    secrets: new EnvSecretSource(env),
    pseudonymKey: testPseudonymKey,
  });
  const dispatch = createDispatchHandler({
    clock,
    logger,
    queue: { send: async (messages) => void queued.push(...messages) },
    deadlineQueue: { send: async (invocations) => void dueNow.push(...invocations) },
    scheduler,
  });
  const notify = createNotifyHandler(deps);
  const reminder = createReminderHandler(deps);
  const sweep = createSweepHandler(deps);

  const emailsDuring = async (work: () => Promise<void>) => {
    const before = mailer.sent.length;
    await work();
    return mailer.sent.slice(before);
  };

  return {
    schedules,
    sweep,
    reminder,
    /**
     * A source posts an event a few minutes after it happened; the stream hands its outbox items to the
     * dispatcher, and the queue then delivers to notify.
     */
    post: (sourceId: string, event: PipelineEvent) =>
      emailsDuring(async () => {
        if (compareInstants(event.time, clock.now()) > 0) clock.set(addHours(event.time, 0.1));
        const answer = await intake(signedRequest(sourceId, event, { secret: secrets[sourceId] ?? '' }));
        expect(answer.statusCode, answer.body).toBe(202);
        const dispatched = await dispatch({ Records: store.takeOutbox().map(outboxRecord) });
        expect(dispatched.batchItemFailures).toEqual([]);
        // A notice already due went onto the deadline queue: the reminder takes it at once.
        for (const invocation of dueNow.splice(0)) {
          expect((await reminder(deadlineQueueEvent(invocation))).batchItemFailures).toEqual([]);
        }
        const Records = queued.splice(0).map((m, i) => sqsRecord(`m${i}`, JSON.stringify(m)));
        const result = await notify({ Records });
        expect(result.batchItemFailures).toEqual([]);
      }),
    /** Time passes: each schedule that falls due invokes the reminder function, as the Scheduler does. */
    advanceTo: (instant: string) =>
      emailsDuring(async () => {
        clock.set(instant);
        const due = [...schedules.entries()]
          .filter(([, s]) => compareInstants(s.notice.fireAt, instant) <= 0)
          .sort(([, a], [, b]) => compareInstants(a.notice.fireAt, b.notice.fireAt));
        for (const [name, { episodeId, notice }] of due) {
          schedules.delete(name);
          await reminder(deadlineQueueEvent({ episodeId, noticeKey: noticeKey(notice) }));
        }
      }),
  };
};

const to = (emails: { to: string[] }[]) => emails.flatMap((e) => e.to);

describe('Tower Hamlets, from report to Return Home Interview', () => {
  test('every agency the LBTH guide names hears of each step, and of each deadline, exactly once', async () => {
    const lbth = pipeline(towerHamlets);
    const ref = 'MPS-2026-1001';
    const [, risk, found, prevention, offered, completed] = fullEpisode(ref);
    const report = parsedEvent(
      'missing.reported',
      reportData(ref, {
        child: { givenName: 'Alex', familyName: 'Example', dateOfBirth: '2011-05-14', lookedAfter: true },
        school: { name: 'Bow School', email: 'safeguarding@bow-school.example' },
        socialWorker: { email: 'sw.allocated@towerhamlets.example' },
      }),
      { id: `${ref}-1`, time: '2026-10-22T19:00:00+01:00' },
    );
    if (!risk || !found || !prevention || !offered || !completed) throw new Error('a full episode');

    // Looked after, with no placing authority named: the council's own children's social care placed the child.
    expect(to(await lbth.post('met-police', report))).toEqual([
      'missing-persons@met-police.invalid',
      'sw.allocated@towerhamlets.example',
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    expect(to(await lbth.post('met-police', risk))).toEqual([
      'safeguarding-lead@tower-hamlets.invalid',
      'exploitation.team@towerhamlets.gov.uk',
      'sw.allocated@towerhamlets.example',
    ]);
    const returnEmails = await lbth.post('met-police', found);
    expect(to(returnEmails)).toEqual([
      'exploitation.team@towerhamlets.gov.uk',
      'missing-persons@met-police.invalid',
      'sw.allocated@towerhamlets.example',
      'safeguarding@bow-school.example',
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    expect(returnEmails[0]?.subject).toBe(
      `[LBTH] Child returned: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT (ref ${ref})`,
    );
    expect(returnEmails[1]?.subject).toBe(
      `[LBTH] Child returned: Prevention Interview as soon as possible, latest Tue 27 Oct 2026, 08:30 GMT (ref ${ref})`,
    );
    expect(lbth.schedules.size).toBe(5);

    expect(to(await lbth.post('met-police', prevention))).toEqual(['sw.allocated@towerhamlets.example']);
    expect(to(await lbth.post('exploitation-team', offered))).toEqual([]);
    const reminders = await lbth.advanceTo('2026-10-26T08:30:00Z');
    expect(to(reminders)).toEqual(['exploitation.team@towerhamlets.gov.uk']);
    expect(reminders[0]?.subject).toBe(
      `[LBTH] Reminder: Return Home Interview due Tue 27 Oct 2026, 08:30 GMT (ref ${ref})`,
    );

    expect(to(await lbth.post('exploitation-team', completed))).toEqual([
      'sw.allocated@towerhamlets.example',
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    expect(lbth.schedules.size).toBe(0);
    expect(to(await lbth.advanceTo('2026-10-28T12:00:00Z'))).toEqual([]);
    expect(await lbth.sweep()).toMatchObject({ fired: 0, due: 0 });
  });
});

describe('Bath and North East Somerset, with the Return Home Interview late', () => {
  test('reminders, the 72-hour escalation in local time, and the outcome reach exactly the B&NES agencies', async () => {
    const bnes = pipeline(bathNes);
    const ref = 'ASP-2026-2001';
    const [report, risk, found, prevention, offered] = fullEpisode(ref);
    if (!report || !risk || !found || !prevention || !offered) throw new Error('a full episode');

    expect(to(await bnes.post('avon-somerset-police', report))).toEqual([
      'missing-persons@avon-somerset-police.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
    expect(to(await bnes.post('avon-somerset-police', risk))).toEqual([
      'safeguarding-lead@bathnes.invalid',
      'duty-and-assessment@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
      'exploitation@bathnes.invalid',
    ]);
    expect(to(await bnes.post('avon-somerset-police', found))).toEqual([
      'youth-offending-service@bathnes.invalid',
      'missing-persons@avon-somerset-police.invalid',
      'childrens-social-care@bathnes.invalid',
      'education-safeguarding@bathnes.invalid',
    ]);
    expect(to(await bnes.post('avon-somerset-police', prevention))).toEqual([
      'childrens-social-care@bathnes.invalid',
    ]);
    expect(to(await bnes.post('youth-offending-service', offered))).toEqual([]);

    expect(to(await bnes.advanceTo('2026-10-26T08:30:00Z'))).toEqual([
      'youth-offending-service@bathnes.invalid',
    ]);
    expect(to(await bnes.advanceTo('2026-10-27T04:30:00Z'))).toEqual([
      'youth-offending-service@bathnes.invalid',
    ]);
    const escalation = await bnes.advanceTo('2026-10-27T08:30:00Z');
    expect(to(escalation)).toEqual([
      'youth-offending-service@bathnes.invalid',
      'missing-managers@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
    for (const email of escalation) {
      expect(email.subject).toBe(
        `[B&NES] OVERDUE: Return Home Interview was due Tue 27 Oct 2026, 08:30 GMT (ref ${ref})`,
      );
    }
    // The sweep runs behind the schedule that already fired: nothing is sent twice.
    expect(await bnes.sweep()).toMatchObject({ fired: 0, failed: 0 });

    const outcome = await bnes.post(
      'youth-offending-service',
      parsedEvent(
        'rhi.completed',
        {
          episodeRef: ref,
          completedAt: '2026-10-27T10:00:00Z',
          setting: 'neutral',
          concerns: { riskOfHarm: true, immediateSignificantHarm: true, exploitation: true },
        },
        { id: `${ref}-6`, time: '2026-10-27T10:15:00Z' },
      ),
    );
    // The Youth Offending Service recorded an immediate risk of significant harm: it, its own safeguarding
    // lead and the Duty and Assessment Team; a risk of harm: Early Help; exploitation; the social worker.
    expect(to(outcome)).toEqual([
      'youth-offending-service@bathnes.invalid',
      'safeguarding-lead@youth-offending-service.bathnes.invalid',
      'duty-and-assessment@bathnes.invalid',
      'early-help@bathnes.invalid',
      'exploitation@bathnes.invalid',
      'childrens-social-care@bathnes.invalid',
    ]);
    expect(outcome[0]?.text).toContain(
      'You recorded an immediate risk of significant harm: phone the Duty and Assessment Team on 01225 396312 or 396313 now',
    );
    expect(outcome[2]?.text).toContain(
      'Recorded by B&NES Youth Offending Service. Reach them on youth-offending-service@bathnes.invalid.',
    );
    expect(outcome[2]?.text).toContain('B&NES Duty and Assessment Team: 01225 396312 or 01225 396313');
    const earlyHelp = outcome[3];
    expect(earlyHelp?.text).toContain('complete or update an Early Help Assessment');
    expect(earlyHelp?.text).toContain('Name: Alex Example');
    expect(earlyHelp?.text).not.toContain('criminal exploitation');

    // The immediate risk of significant harm is a referral: the Duty and Assessment Team acknowledges it within
    // 4 hours of it being recorded, reminded after 2; nobody does, so it escalates, the referrer told too.
    expect([...bnes.schedules.values()].map((s) => s.notice.notice)).toEqual(['reminder', 'escalation']);
    expect(outcome[2]?.text).toContain(
      'Referral acknowledgement (B&NES Duty and Assessment Team): due Tue 27 Oct 2026, 14:15 GMT',
    );
    const reminder = await bnes.advanceTo('2026-10-27T12:15:00Z');
    expect(to(reminder)).toEqual(['duty-and-assessment@bathnes.invalid']);
    expect(reminder[0]?.subject).toBe(
      `[B&NES] Reminder: Referral acknowledgement due Tue 27 Oct 2026, 14:15 GMT (ref ${ref})`,
    );
    const unacknowledged = await bnes.advanceTo('2026-10-27T14:15:00Z');
    expect(to(unacknowledged)).toEqual([
      'duty-and-assessment@bathnes.invalid',
      'duty-and-assessment-manager@bathnes.invalid',
      'emergency-duty-team@bathnes.invalid',
      'youth-offending-service@bathnes.invalid',
    ]);
    expect(unacknowledged[3]?.text).toContain(
      'B&NES Youth Offending Service recorded an immediate risk of significant harm to the child on Tue 27 Oct 2026, 10:15 GMT',
    );
    expect(unacknowledged[3]?.text).toContain(
      'No acknowledgement has come from the Duty and Assessment Team of the immediate risk of significant harm you recorded',
    );
    // The out-of-hours team can call whoever recorded it.
    expect(unacknowledged[2]?.text).toContain(
      'Recorded by B&NES Youth Offending Service. Reach them on youth-offending-service@bathnes.invalid.',
    );
    expect(bnes.schedules.size).toBe(0);
    expect(await bnes.sweep()).toMatchObject({ fired: 0, due: 0 });
  });
});

describe('Tower Hamlets, a high-risk child missing for five days', () => {
  test('the while-missing deadlines remind and escalate once each; a strategy discussion held in time stops its own and the manager’s review', async () => {
    const lbth = pipeline(towerHamlets);
    const ref = 'MPS-2026-1002';
    const report = parsedEvent(
      'missing.reported',
      reportData(ref, { lastSeenAt: '2026-10-22T17:00:00+01:00', riskGrade: 'high' }),
      { id: `${ref}-1`, time: '2026-10-22T18:00:00+01:00' },
    );
    // Last seen 16:00 UTC; graded high at 17:00 UTC with the report.
    const reportEmails = await lbth.post('met-police', report);
    const social = reportEmails.find((e) => e.to[0] === 'childrens-social-care@tower-hamlets.invalid');
    expect(social?.text).toContain(
      'convene a strategy discussion with the police and health, and record its outcome. By Fri 23 Oct 2026, 18:00 BST',
    );
    expect(social?.text).toContain(
      "Manager's review (Tower Hamlets Children's Social Care): due Fri 23 Oct 2026, 17:00 BST",
    );
    const kinds = () => [...new Set([...lbth.schedules.values()].map((s) => s.notice.deadlineKind))];
    expect(kinds()).toEqual(['manager_review', 'head_of_service_review', 'strategy_discussion']);

    const held = parsedEvent(
      'strategy_discussion.held',
      { episodeRef: ref, heldAt: '2026-10-23T08:00:00Z', outcome: 'section_47_enquiry' },
      { id: `${ref}-2`, time: '2026-10-23T08:30:00Z' },
    );
    expect(to(await lbth.post('childrens-social-care', held))).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'missing-persons@met-police.invalid',
      'duty-and-assessment@tower-hamlets.invalid',
    ]);
    expect(kinds()).toEqual(['head_of_service_review']);

    // Two days missing: the social worker is reminded of the head of service review; at three, it escalates.
    expect(to(await lbth.advanceTo('2026-10-24T16:00:00Z'))).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
    ]);
    const escalation = await lbth.advanceTo('2026-10-25T16:00:00Z');
    expect(to(escalation)).toEqual([
      'childrens-social-care@tower-hamlets.invalid',
      'head-of-service@tower-hamlets.invalid',
      'missing-managers@tower-hamlets.invalid',
    ]);
    expect(escalation[1]?.subject).toBe(
      `[LBTH] OVERDUE: Head of service review was due Sun 25 Oct 2026, 16:00 GMT (ref ${ref})`,
    );
    // Five days: nothing more is owed while the child is missing, and the sweep finds nothing left.
    expect(to(await lbth.advanceTo('2026-10-27T16:00:00Z'))).toEqual([]);
    expect(await lbth.sweep()).toMatchObject({ fired: 0, due: 0 });
  });
});

describe('what follows from a commit', () => {
  test('one event id used by two sources is two deliveries: both children are routed', async () => {
    const lbth = pipeline(towerHamlets);
    const reportOf = (ref: string, givenName: string) =>
      parsedEvent(
        'missing.reported',
        reportData(ref, { child: { givenName, familyName: 'Shared', dateOfBirth: '2012-02-02' } }),
        { id: 'evt-shared-1', time: '2026-10-22T19:00:00+01:00' },
      );
    const byPolice = await lbth.post('met-police', reportOf('MPS-SHARED', 'Robin'));
    const bySchool = await lbth.post('schools', reportOf('SCH-SHARED', 'Sam'));
    // Both reach the police and social care: only the delivery's identity, source included, tells those
    // sends apart (the school's report also goes to education safeguarding).
    const both = ['missing-persons@met-police.invalid', 'childrens-social-care@tower-hamlets.invalid'];
    expect(to(byPolice)).toEqual(both);
    expect(to(bySchool)).toEqual(['education-safeguarding@tower-hamlets.invalid', ...both]);
    expect(byPolice[0]?.subject).toContain('(ref MPS-SHARED)');
    expect(bySchool[0]?.subject).toContain('(ref SCH-SHARED)');
  });

  test('a return reported two days late sends the reminders already due at once, not at the next sweep', async () => {
    const lbth = pipeline(towerHamlets);
    const ref = 'MPS-LATE-1';
    const [report] = fullEpisode(ref);
    if (!report) throw new Error('a report');
    await lbth.post('met-police', report);
    const lateReturn = parsedEvent(
      'missing.found',
      { episodeRef: ref, foundAt: '2026-10-24T09:30:00+01:00' },
      { id: `${ref}-found`, time: '2026-10-26T10:30:00Z' },
    );
    const emails = await lbth.post('met-police', lateReturn);
    const reminders = emails.filter((email) => email.subject.startsWith('[LBTH] Reminder'));
    // The 24-hours-before reminders of both interviews (26 Oct 08:30 UTC) fell due before the return was reported.
    expect(to(reminders).sort()).toEqual([
      'exploitation.team@towerhamlets.gov.uk',
      'missing-persons@met-police.invalid',
    ]);
    expect(lbth.schedules.size).toBe(3);
    expect(await lbth.sweep()).toMatchObject({ fired: 0, due: 0 });
  });
});
