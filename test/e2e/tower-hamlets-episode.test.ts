import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxOf, runEpisodePath, type StepOutcome } from './support/episode-path';
import { type LocalRuntime, processesUsing, startRuntime } from './support/local-runtime';

const inbox = inboxOf('tower-hamlets');
const sorted = (...agencies: string[]) => agencies.map(inbox).sort();

describe('the local pipeline for Tower Hamlets, over HTTP', { timeout: 120_000 }, () => {
  let runtime: LocalRuntime;
  let path: StepOutcome[];
  const episodeRef = `MET-E2E-${Date.now()}`;

  beforeAll(async () => {
    runtime = await startRuntime({ council: 'tower-hamlets' });
    path = await runEpisodePath(runtime, 'tower-hamlets', episodeRef);
    // A start is ~5 s on an idle machine; a JVM booting on a loaded one can take half a minute.
  }, 180_000);
  afterAll(async () => {
    await runtime?.discard();
  });

  it('accepts every event of the episode, moves the clock, and records the RHI from the link in its email', () => {
    expect(path.map((s) => s.status)).toEqual([202, 202, 202, 200, 202, 200, 200]);
    expect(path[6]?.body).toBe('Recorded');
  });

  it('emails the police and social care about the report', () => {
    expect(path[0]?.recipients).toEqual(sorted('met-police', 'childrens-social-care'));
  });

  it('emails the safeguarding lead and the Exploitation service once, and social care of the change, when the child is graded high risk for exploitation', () => {
    expect(path[1]?.recipients).toEqual(
      sorted('safeguarding-lead', 'exploitation-service', 'childrens-social-care'),
    );
  });

  it('tells the RHI provider, the police, social care and the school of the return', () => {
    expect(path[2]?.recipients).toEqual(
      sorted('exploitation-service', 'met-police', 'childrens-social-care', 'education-safeguarding'),
    );
    expect(path[2]?.subjects.filter((s) => s.includes('Return Home Interview due'))).toHaveLength(1);
  });

  it('reminds the responsible agencies a day before both interviews fall due', () => {
    expect(path[3]?.recipients).toEqual(sorted('met-police', 'exploitation-service'));
    expect(path[3]?.subjects.every((s) => s.includes('Reminder'))).toBe(true);
  });

  it('tells social care the Prevention Interview’s outcome', () => {
    expect(path[4]?.recipients).toEqual(sorted('childrens-social-care'));
  });

  it('escalates the overdue Return Home Interview to the provider, the managers and social care once 72 hours pass', () => {
    expect(path[5]?.recipients).toEqual(
      sorted('exploitation-service', 'missing-managers', 'childrens-social-care'),
    );
    expect(path[5]?.subjects.every((s) => s.startsWith('[LBTH] OVERDUE: Return Home Interview'))).toBe(true);
  });

  it('sends the RHI outcome with its risk of harm to social care, as one email, and a receipt to the Exploitation service', () => {
    expect(path[6]?.recipients).toEqual(sorted('childrens-social-care', 'exploitation-service'));
  });

  it('writes every email with the subject naming the episode and never the child', async () => {
    const outbox = await runtime.outbox();
    expect(outbox).toHaveLength(path.reduce((n, s) => n + s.recipients.length, 0));
    for (const email of outbox) {
      expect(email.subject).toContain(episodeRef);
      expect(email.subject).not.toContain('Jordan');
      expect(Date.parse(email.sentAt)).not.toBeNaN();
    }
  });

  it('a return reported 50 hours late: the reminders already due reach the police and the RHI provider within seconds, not at the next sweep', async () => {
    const lateRef = `${episodeRef}-LATE`;
    const now = (await runtime.status()).now;
    const hoursAgo = (hours: number) => new Date(Date.parse(now) - hours * 3_600_000).toISOString();
    const event = (id: string, type: string, time: string, data: object) => ({
      specversion: '1.0',
      id: `${lateRef}-${id}`,
      source: 'urn:local-demo:tower-hamlets',
      type,
      time,
      data: { episodeRef: lateRef, ...data },
    });
    const report = event('1', 'missing.reported', hoursAgo(0.5), {
      child: { givenName: 'Jordan', familyName: 'Sample', dateOfBirth: '2012-03-09' },
      reportedBy: 'parent_carer',
      lastSeenAt: hoursAgo(53),
    });
    expect((await runtime.send('met-police', report)).status).toBe(202);
    await runtime.settledOutbox();
    const before = (await runtime.outbox()).length;
    const postedAt = Date.now();
    const found = event('2', 'missing.found', hoursAgo(0.2), { foundAt: hoursAgo(50) });
    expect((await runtime.send('met-police', found)).status).toBe(202);
    const reminders = (await runtime.settledOutbox())
      .slice(before)
      .filter((email) => email.subject.includes('Reminder'));
    expect(reminders.flatMap((email) => email.to).sort()).toEqual(
      sorted('met-police', 'exploitation-service'),
    );
    // The sweep runs every 15 minutes; these went out with the return's own emails.
    expect(Date.now() - postedAt).toBeLessThan(30_000);
  });

  it('stops cleanly on Ctrl-C, keeps the episode on disk and finds it after a restart', async () => {
    const before = await runtime.outbox();
    const exit = await runtime.stop('SIGINT');
    expect(exit.code).toBe(0);
    expect(exit.output).toContain('Stopped.');
    expect(processesUsing(runtime.dataDir)).toEqual([]);

    runtime = await startRuntime({ council: 'tower-hamlets', dataDir: runtime.dataDir });
    expect(await runtime.outbox()).toEqual(before);
    const report = {
      specversion: '1.0',
      id: `${episodeRef}-1`,
      source: 'urn:local-demo:tower-hamlets',
      type: 'missing.reported',
      time: new Date().toISOString(),
      data: {
        episodeRef,
        child: { givenName: 'Jordan', familyName: 'Sample', dateOfBirth: '2012-03-09' },
        reportedBy: 'parent_carer',
        lastSeenAt: new Date().toISOString(),
      },
    };
    const again = await runtime.send('met-police', report);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...(path[0]?.body as object), duplicate: true });

    // An event for an episodeRef with no stored report is refused with 409: this one finds the closed episode.
    const later = await runtime.send('met-police', {
      specversion: '1.0',
      id: `${episodeRef}-after-restart`,
      source: 'urn:local-demo:tower-hamlets',
      type: 'missing.risk_assessed',
      time: new Date().toISOString(),
      data: { episodeRef, riskGrade: 'low' },
    });
    expect(later).toEqual({
      status: 202,
      body: { ...(path[0]?.body as object), status: 'closed', duplicate: false },
    });
  });
});
