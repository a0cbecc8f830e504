import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCouncilFile } from '../../infra/councils/council-files';
import { escalationTarget } from '../../shared/council/council-schema';
import { deadlineLabel } from '../../shared/deadlines/deadline-kinds';
import { addHours } from '../../shared/time/instant';
import { type LocalRuntime, startRuntime } from './support/local-runtime';

/**
 * The deadlines that run while a child is missing and on immediate harm, over HTTP against `npm start`'s
 * runtime, for each council: four children at once, and five days on the local clock.
 * - A: graded high risk and missing for five days, nobody records anything.
 * - B: graded high risk; a strategy discussion is recorded within the hour.
 * - C: found, and the RHI records an immediate risk of significant harm; nobody acknowledges it.
 * - D: the same, acknowledged by the Duty and Assessment Team within the hour.
 * What each gets is read from the outbox and compared with what the council file defines.
 */
describe.each(['tower-hamlets', 'bath-ne-somerset'])(
  '%s: deadlines while missing and on immediate harm, over HTTP',
  (id) => {
    const council = loadCouncilFile(id);
    const inbox = (agencyId: string) => {
      const agency = council.agencies[agencyId];
      if (!agency) throw new Error(`${id} has no agency ${agencyId}`);
      return agency.inbox.address;
    };
    const police =
      Object.entries(council.sources).find(([, s]) => s.agency === council.roles.police)?.[0] ?? '';
    const rhiSource =
      Object.entries(council.sources).find(([, s]) => s.agency === council.roles.rhiProvider)?.[0] ?? '';
    const socialCareSource = 'childrens-social-care';
    /** An inbox as the council file names a recipient: the report names no social worker, so social care's. */
    const inboxOf = (ref: string, referrer?: string) =>
      ref === 'social-worker'
        ? inbox(council.roles.socialCare)
        : ref === 'referrer'
          ? inbox(referrer ?? '')
          : inbox(ref);
    /** What the council file says a deadline's reminders and escalation reach: the subject's start -> inboxes. */
    const defined = (kind: Parameters<typeof deadlineLabel>[0], referrer?: string) => {
      const policy = council.deadlines[kind];
      if (!policy) throw new Error(`${id} has no ${kind}`);
      const label = deadlineLabel(kind);
      const responsible = inboxOf(policy.responsible, referrer);
      return {
        ...(policy.remindBeforeHours.length > 0 ? { [`Reminder: ${label}`]: [responsible] } : {}),
        [`OVERDUE: ${label}`]: [
          responsible,
          ...policy.escalateTo.map((e) => inboxOf(escalationTarget(e).to, referrer)),
        ].sort(),
      };
    };

    let runtime: LocalRuntime;
    let outbox: { to: string[]; subject: string }[];
    const run = `${Date.now()}`;
    const refOf = (child: string) => `E2E-DL-${child}-${run}`;

    beforeAll(async () => {
      runtime = await startRuntime({ council: id });
      const start = (await runtime.status()).now;
      const at = (hours: number) => addHours(start, hours);
      let sequence = 0;
      const post = async (sourceId: string, type: string, time: string, data: Record<string, unknown>) => {
        const answer = await runtime.send(sourceId, {
          specversion: '1.0',
          id: `${run}-${++sequence}`,
          source: `urn:e2e:${id}`,
          type,
          time,
          data,
        });
        expect(answer.status, `${type}: ${JSON.stringify(answer.body)}`).toBe(202);
      };
      const child = (givenName: string) => ({ givenName, familyName: 'Deadline', dateOfBirth: '2012-04-01' });
      const harm = { riskOfHarm: true, immediateSignificantHarm: true, exploitation: false };

      for (const name of ['A', 'B']) {
        await post(police, 'missing.reported', at(-0.5), {
          episodeRef: refOf(name),
          child: child(`Child${name}`),
          reportedBy: 'parent_carer',
          lastSeenAt: at(-1),
          riskGrade: 'high',
        });
      }
      await post(socialCareSource, 'strategy_discussion.held', at(0), {
        episodeRef: refOf('B'),
        heldAt: at(-0.1),
        outcome: 'section_47_enquiry',
      });
      for (const name of ['C', 'D']) {
        await post(police, 'missing.reported', at(-3), {
          episodeRef: refOf(name),
          child: child(`Child${name}`),
          reportedBy: 'parent_carer',
          lastSeenAt: at(-4),
        });
        await post(police, 'missing.found', at(-2), { episodeRef: refOf(name), foundAt: at(-2) });
        await post(rhiSource, 'rhi.completed', at(0), {
          episodeRef: refOf(name),
          completedAt: at(-0.2),
          setting: 'neutral',
          concerns: harm,
        });
      }
      await runtime.settledOutbox();
      const seen = (await runtime.outbox()).length;
      // An hour on, the Duty and Assessment Team acknowledges D's referral: in time (due 4 hours after it).
      expect((await runtime.advanceClock('PT1H')).status).toBe(200);
      await post(socialCareSource, 'referral.acknowledged', at(1), {
        episodeRef: refOf('D'),
        acknowledgedAt: at(1),
        acknowledgedBy: { name: 'Ali Duty', phone: '020 7946 0002' },
      });
      // Then five days pass, four hours at a time: a reminder falling due before its deadline is sent (one
      // whose deadline has passed by the time it fires is dropped, its escalation speaking instead).
      for (const advance of ['PT2H', 'PT2H', ...Array.from({ length: 29 }, () => 'PT4H')]) {
        expect((await runtime.advanceClock(advance)).status).toBe(200);
      }
      outbox = (await runtime.settledOutbox()).slice(seen);
    }, 240_000);
    afterAll(async () => {
      await runtime?.discard();
    });

    /** The notices (reminders and escalations) about a child, as subject start -> inboxes, each email once. */
    const noticesAbout = (name: string, labels: string[]) => {
      const got: Record<string, string[]> = {};
      for (const email of outbox.filter((e) => e.subject.includes(`(ref ${refOf(name)})`))) {
        const what = /^\[[^\]]+\] ((?:Reminder|OVERDUE): [^(]*?) (?:due|was due|as soon as possible)/.exec(
          email.subject,
        )?.[1];
        if (what && labels.some((label) => what.endsWith(label))) {
          got[what] = [...(got[what] ?? []), ...email.to].sort();
        }
      }
      return got;
    };
    const whileMissing = ["Manager's review", 'Head of service review', 'Strategy discussion'];
    const acknowledgement = ['Referral acknowledgement'];

    it('a high-risk child missing five days gets each reminder and escalation the council file defines, once, to the right inboxes', () => {
      expect(noticesAbout('A', whileMissing)).toEqual({
        ...defined('manager_review'),
        ...defined('head_of_service_review'),
        ...defined('strategy_discussion'),
      });
      // The strategy discussion fell due 24 hours after the grade: 23.5 hours after the report was posted.
      const overdue = outbox.find(
        (e) =>
          e.subject.startsWith(`[${council.shortName}] OVERDUE: Strategy discussion`) &&
          e.subject.includes(refOf('A')),
      );
      expect(overdue?.to).toEqual([inbox(council.roles.socialCare)]);
    });

    it('a strategy discussion recorded in time stops its reminders and escalation, and the manager’s review’s; the head of service review still runs', () => {
      expect(noticesAbout('B', whileMissing)).toEqual(defined('head_of_service_review'));
    });

    it('an immediate-harm RHI with no acknowledgement escalates to the D&A manager, the out-of-hours team and the RHI provider', () => {
      expect(noticesAbout('C', acknowledgement)).toEqual(
        defined('referral_acknowledgement', council.roles.rhiProvider),
      );
      expect(noticesAbout('C', acknowledgement)['OVERDUE: Referral acknowledgement']).toEqual(
        [
          inbox('duty-and-assessment'),
          inbox('duty-and-assessment-manager'),
          inbox(council.contacts.outOfHours),
          inbox(council.roles.rhiProvider),
        ].sort(),
      );
    });

    it('one acknowledged in time is neither reminded nor escalated, and the RHI provider hears of the acknowledgement', async () => {
      expect(noticesAbout('D', acknowledgement)).toEqual({});
      const all = await runtime.outbox();
      const acknowledgedEmail = all.find(
        (e) => e.subject === `[${council.shortName}] Referral acknowledged (ref ${refOf('D')})`,
      );
      expect(acknowledgedEmail?.to).toEqual([inbox(council.roles.rhiProvider)]);
    });

    it('sends no notice twice', () => {
      const keys = outbox.flatMap((e) => e.to.map((to) => `${to} ${e.subject}`));
      expect(keys.length).toBe(new Set(keys).size);
    });
  },
);
