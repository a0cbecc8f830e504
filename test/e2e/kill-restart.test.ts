import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '../../infra/local/local-episode-table';
import { tableNameOf } from '../../infra/local/local-pipeline';
import { episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { DynamoNoticeStore } from '../../shared/adapters/dynamo-notice-store';
import { NOTICE_LEASE_MS } from '../../shared/notify/fire-notice';
import { type LocalRuntime, startRuntime } from './support/local-runtime';

/** Reports per burst, posted this many at once: bounded, so the test runs in a few minutes on 2 busy cores. */
const REPORTS = 40;
const IN_FLIGHT = 8;
/** Kills, each at a random moment of a burst, before the last start. */
const KILLS = 2;

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Each report a different child, so each makes its own episode and its own two emails. */
const reports = (run: string) =>
  Array.from({ length: REPORTS }, (_, i) => ({
    specversion: '1.0',
    id: `${run}-${i}-report`,
    source: 'urn:e2e:met-police',
    type: 'missing.reported',
    time: hoursAgo(1),
    data: {
      episodeRef: `${run}-${i}`,
      child: { givenName: `Kid${i}`, familyName: 'Killtest', dateOfBirth: '2012-06-01' },
      reportedBy: 'police',
      lastSeenAt: hoursAgo(2),
    },
  }));

/** A child reported missing and found an hour ago, under `ref`, their emails out: the episode's id. */
const missingAndFound = async (runtime: LocalRuntime, ref: string) => {
  const [report] = reports(ref);
  if (!report) throw new Error('a report');
  const foundAt = hoursAgo(1);
  const found = {
    ...report,
    id: `${ref}-found`,
    type: 'missing.found',
    time: foundAt,
    data: { episodeRef: report.data.episodeRef, foundAt },
  };
  expect((await runtime.send('met-police', report)).status).toBe(202);
  const answer = await runtime.send('met-police', found);
  expect(answer.status).toBe(202);
  await runtime.settledOutbox();
  return (answer.body as { episodeId: string }).episodeId;
};

/** Who the council routes a police report of a child with no allocated social worker to. */
const routedTo = ['childrens-social-care@tower-hamlets.invalid', 'missing-persons@met-police.invalid'];

describe('the local runtime killed in the middle of a burst', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-kill-'));
  let runtime: LocalRuntime | undefined;
  afterAll(async () => {
    await runtime?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing: restarted on its data folder, every event is stored once and every routing email sent exactly once', async () => {
    const run = `KILL-${Date.now()}`;
    const events = reports(run);
    /** The first answer each event got, 202 or 200: what its sender saw. */
    const answered = new Map<string, { status: number; episodeId: string }>();
    const post = async (current: LocalRuntime, event: (typeof events)[number]) => {
      try {
        const answer = await current.send('met-police', event);
        if (answer.status !== 202 && answer.status !== 200) {
          throw new Error(`${event.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
        const { episodeId } = answer.body as { episodeId: string };
        if (!answered.has(event.id)) answered.set(event.id, { status: answer.status, episodeId });
        return episodeId;
      } catch (error) {
        // The runtime died under this request: its sender saw no answer, and posts it again later.
        if (error instanceof TypeError) return undefined;
        throw error;
      }
    };
    const burst = async (current: LocalRuntime, pending: typeof events) => {
      let next = 0;
      const worker = async () => {
        while (next < pending.length) await post(current, pending[next++] as (typeof events)[number]);
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    };

    const killedAt: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      runtime = await startRuntime({ council: 'tower-hamlets', dataDir });
      const sending = burst(
        runtime,
        events.filter((e) => !answered.has(e.id)),
      );
      // Anywhere from the first requests to after the last answer, while dispatch and notify still work.
      const after = Math.round(50 + Math.random() * 1_500);
      killedAt.push(after);
      await sleep(after);
      await runtime.kill();
      await sending;
    }

    runtime = await startRuntime({ council: 'tower-hamlets', dataDir });
    const context = `killed ${killedAt.join(' ms, ')} ms into the bursts; ${answered.size} answered before`;
    // The senders post again what got no answer; an answered event posted again is a duplicate.
    await burst(runtime, events);
    expect(answered.size, context).toBe(REPORTS);
    const episodeIds = new Map<string, string | undefined>();
    for (const event of events) episodeIds.set(event.id, await post(runtime, event));
    for (const event of events) {
      expect(episodeIds.get(event.id), `${event.id}: ${context}`).toBe(answered.get(event.id)?.episodeId);
    }
    // Every event is its own episode: stored once, never twice under two ids.
    expect(new Set(episodeIds.values()).size, context).toBe(REPORTS);

    const outbox = await runtime.settledOutbox();
    for (const event of events) {
      const emails = outbox.filter((email) => email.subject.endsWith(`(ref ${event.data.episodeRef})`));
      expect(emails.flatMap((email) => email.to).sort(), `${event.id}: ${context}`).toEqual(routedTo);
    }
  });
});

describe('the local runtime restarted after a kill', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-rearm-'));
  let runtime: LocalRuntime | undefined;
  afterAll(async () => {
    await runtime?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('re-arms every pending notice from the store, so a reminder falling due after the restart fires on time', async () => {
    runtime = await startRuntime({ council: 'tower-hamlets', dataDir });
    const ref = `REARM-${Date.now()}`;
    const episodeId = await missingAndFound(runtime, ref);
    await runtime.kill();

    runtime = await startRuntime({ council: 'tower-hamlets', dataDir });
    const status = await runtime.status();
    const pending = status.schedules.pending.filter((s) => s.payload.episodeId === episodeId);
    // Prevention Interview: a reminder and an escalation; RHI: two reminders and an escalation.
    expect(pending).toHaveLength(5);
    const firstFireAt = Math.min(...pending.map((s) => Date.parse(s.fireAt)));
    const before = (await runtime.outbox()).length;
    // Two seconds before the first reminders are due: from here on only their schedules can send them in time.
    const advance = firstFireAt - 2_000 - Date.parse(status.now);
    expect((await runtime.advanceClock(`PT${(advance / 1000).toFixed(3)}S`)).status).toBe(200);
    const until = Date.now() + 30_000;
    let reminders: Awaited<ReturnType<LocalRuntime['outbox']>> = [];
    while (reminders.length < 2 && Date.now() < until) {
      await sleep(200);
      reminders = (await runtime.outbox()).slice(before).filter((e) => e.subject.includes('Reminder'));
    }
    expect(reminders.map((e) => e.to[0]).sort()).toEqual([
      'exploitation.team@towerhamlets.gov.uk',
      'missing-persons@met-police.invalid',
    ]);
    for (const email of reminders) {
      // Sent when due (the local clock), not at the next 15-minute sweep.
      expect(Date.parse(email.sentAt) - firstFireAt).toBeGreaterThanOrEqual(0);
      expect(Date.parse(email.sentAt) - firstFireAt).toBeLessThan(10_000);
    }
  });
});

describe('the local runtime killed between claiming a deadline notice and sending it', {
  timeout: 300_000,
}, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-lease-'));
  let runtime: LocalRuntime | undefined;
  afterAll(async () => {
    await runtime?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The runtime's own table, on the DynamoDB Local its banner names. */
  const storeOf = (current: LocalRuntime) => {
    const endpoint = /DynamoDB Local at (http:\/\/[\d.:]+)/.exec(current.output())?.[1];
    if (!endpoint) throw new Error(`no DynamoDB Local in the banner:\n${current.output()}`);
    return new DynamoNoticeStore(
      episodeTableClient(localDynamoDbClient(endpoint)),
      tableNameOf('tower-hamlets'),
    );
  };
  const advanceTo = async (current: LocalRuntime, at: number) => {
    const advance = at - Date.parse((await current.status()).now);
    expect((await current.advanceClock(`PT${(advance / 1000).toFixed(3)}S`)).status).toBe(200);
  };

  it('sends the reminder once, when its lease runs out: neither lost nor sent twice', async () => {
    runtime = await startRuntime({ council: 'tower-hamlets', dataDir });
    const ref = `LEASE-${Date.now()}`;
    const episodeId = await missingAndFound(runtime, ref);
    const schedules = (await runtime.status()).schedules.pending.filter(
      (s) => s.payload.episodeId === episodeId,
    );
    const rhiReminder = schedules
      .filter((s) => /^rhi-r/.test(s.payload.noticeKey))
      .sort((a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt))[0];
    if (!rhiReminder) throw new Error(`no RHI reminder among ${JSON.stringify(schedules)}`);
    const { noticeKey } = rhiReminder.payload;
    const fireAt = Date.parse(rhiReminder.fireAt);

    // The reminder claims the notice at its time and is killed before any email goes: the claim is the
    // runtime's own store call, on its own table, and then nothing more of that reminder runs.
    const leaseUntil = new Date(fireAt + NOTICE_LEASE_MS).toISOString();
    const claim = await storeOf(runtime).claimNotice(episodeId, noticeKey, rhiReminder.fireAt, leaseUntil);
    expect(claim).toEqual({ claimed: true, emailed: [] });
    await runtime.kill();

    runtime = await startRuntime({ council: 'tower-hamlets', dataDir });
    // Re-armed from the store: still owed, for when the dead reminder's lease runs out.
    expect(
      (await runtime.status()).schedules.pending.filter((s) => s.payload.noticeKey === noticeKey),
    ).toEqual([{ payload: { episodeId, noticeKey }, fireAt: leaseUntil }]);
    const rhiReminders = async () =>
      ((await runtime?.outbox()) ?? []).filter(
        (e) => e.subject.includes('Reminder: Return Home Interview') && e.subject.endsWith(`(ref ${ref}-0)`),
      );

    // At its time, and until the lease runs out, nothing sends it (the sweep included): its holder might live.
    await advanceTo(runtime, fireAt + 1_000);
    await advanceTo(runtime, fireAt + NOTICE_LEASE_MS - 1_000);
    expect(await rhiReminders()).toEqual([]);

    await advanceTo(runtime, fireAt + NOTICE_LEASE_MS + 1_000);
    const sent = await rhiReminders();
    expect(sent.map((e) => e.to)).toEqual([['exploitation.team@towerhamlets.gov.uk']]);
    expect(Date.parse(sent[0]?.sentAt ?? '')).toBeGreaterThanOrEqual(Date.parse(leaseUntil));
    expect((await storeOf(runtime).getNotice(episodeId, noticeKey))?.state).toBe('sent');
    // A later sweep finds nothing more to send.
    await advanceTo(runtime, fireAt + 2 * NOTICE_LEASE_MS);
    expect(await rhiReminders()).toHaveLength(1);
  });
});
