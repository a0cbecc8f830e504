import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCouncilFile } from '../../infra/councils/council-files';
import { localDate } from '../../shared/time/instant';
import { upnFor } from '../support/identifiers';
import { type LocalRuntime, startRuntime } from './support/local-runtime';

const run = promisify(execFile);
const repoRoot = new URL('../..', import.meta.url).pathname;

/**
 * The scenario, as a new user would meet it, for each council: a school reports a child missing
 * with the child's UPN and their social worker; an hour later the police report the same child (same name,
 * same date of birth) without the UPN. One child, one episode: the police's found under their own ref ends
 * it, the social worker the school named is told of the return, and the report counts one child.
 */
describe.each(['tower-hamlets', 'bath-ne-somerset'])(
  'one child reported by a school and by the police, over HTTP (%s)',
  (councilId) => {
    const council = loadCouncilFile(councilId);
    const police = Object.keys(council.sources).find(
      (id) => council.sources[id]?.agency === council.roles.police,
    );
    const stamp = Date.now();
    const schoolRef = `SCH-ONE-${stamp}`;
    const policeRef = `POL-ONE-${stamp}`;
    const socialWorker = `named.social.worker.${stamp}@${councilId}.example`;
    const schoolInbox = `dsl.${stamp}@school.example`;
    const child = { givenName: 'Kai', familyName: 'Twofold', dateOfBirth: '2012-04-30' };
    const localId = `LA-${stamp}`;
    let runtime: LocalRuntime;
    let now: string;
    const answers: { status: number; body: unknown }[] = [];
    let returnRecipients: string[] = [];

    const at = (hoursAgo: number) => new Date(Date.parse(now) - hoursAgo * 3_600_000).toISOString();
    const event = (id: string, type: string, time: string, data: Record<string, unknown>) => ({
      specversion: '1.0',
      id,
      source: `urn:e2e:${councilId}`,
      type,
      time,
      data,
    });

    beforeAll(async () => {
      if (!police) throw new Error(`${councilId} has no police source`);
      runtime = await startRuntime({ council: councilId });
      now = (await runtime.status()).now;
      answers.push(
        await runtime.send(
          'schools',
          event(`${schoolRef}-1`, 'missing.reported', at(5), {
            episodeRef: schoolRef,
            child: { ...child, lookedAfter: true, identifiers: { upn: upnFor(4242), localId: localId } },
            reportedBy: 'school',
            lastSeenAt: at(6),
            school: { name: 'Twofold Primary', email: schoolInbox },
            socialWorker: { email: socialWorker },
          }),
        ),
        await runtime.send(
          police,
          event(`${policeRef}-1`, 'missing.reported', at(4), {
            episodeRef: policeRef,
            child: { ...child, givenName: 'KAI' },
            reportedBy: 'police',
            lastSeenAt: at(6),
            riskGrade: 'medium',
          }),
        ),
      );
      const beforeReturn = (await runtime.settledOutbox()).length;
      answers.push(
        await runtime.send(
          police,
          event(`${policeRef}-2`, 'missing.found', at(1), { episodeRef: policeRef, foundAt: at(1) }),
        ),
      );
      returnRecipients = (await runtime.settledOutbox()).slice(beforeReturn).flatMap((email) => email.to);
    }, 240_000);
    afterAll(async () => {
      await runtime?.discard();
    });

    it('makes one episode of both reports, which the police’s found under their own ref ends', () => {
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
      const [school, policeReport, found] = answers.map(
        (a) => a.body as { episodeId: string; status: string },
      );
      expect(policeReport?.episodeId).toBe(school?.episodeId);
      expect(found).toEqual({ episodeId: school?.episodeId, status: 'found', duplicate: false });
    });

    it('tells the social worker and the school the school named of the return', () => {
      expect(returnRecipients).toContain(socialWorker);
      expect(returnRecipients).toContain(schoolInbox);
    });

    it('asks nobody to review the record: the name and date of birth matched exactly', async () => {
      const outbox = await runtime.outbox();
      expect(outbox.filter((email) => email.subject.includes('Possible duplicate'))).toEqual([]);
    });

    /** `npm run report` (or `npm run ssda903`) against the runtime's DynamoDB Local, as an operator runs it. */
    const report = async (...args: string[]) => {
      const endpoint = /DynamoDB Local at (http:\/\/[\d.:]+)/.exec(runtime.output())?.[1];
      if (!endpoint) throw new Error('the runtime did not print its DynamoDB Local endpoint');
      const tsx = `${repoRoot}node_modules/tsx/dist/cli.mjs`;
      const options = ['--council', councilId, '--endpoint', endpoint, '--now', now];
      return (await run(process.execPath, [tsx, 'scripts/report.ts', ...options, ...args], { cwd: repoRoot }))
        .stdout;
    };

    it('counts one child and one missing episode in the timeliness report', async () => {
      const day = (instant: string) => localDate(instant, council.timeZone);
      const nextDay = (date: string) =>
        new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const json = await report('--from', day(at(24)), '--to', nextDay(day(now)), '--format', 'json');
      const figures = Object.fromEntries(
        (JSON.parse(json) as { figures: { id: string; value: number | null }[] }).figures.map((f) => [
          f.id,
          f.value,
        ]),
      );
      expect(figures.children).toBe(1);
      expect(figures['episodes.missing']).toBe(1);
      expect(figures.returns).toBe(1);
    });

    it("writes one SSDA903 Missing row for the absence, with the school's local id as CHILD", async () => {
      const [year, month] = localDate(now, council.timeZone).split('-').map(Number) as [number, number];
      const csv = await report('--extract', 'ssda903', '--year', String(month >= 4 ? year : year - 1));
      const rows = csv.trim().split('\r\n').slice(1);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.startsWith(`${localId},30/04/2012,M,`)).toBe(true);
    });
  },
);
