import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCouncilFile } from '../../infra/councils/council-files';
import { inboxOf, runEpisodePath, type StepOutcome } from './support/episode-path';
import { type LocalRuntime, runDemo, startRuntime } from './support/local-runtime';

const inbox = inboxOf('bath-ne-somerset');
const council = loadCouncilFile('bath-ne-somerset');
/** An agency as the demo names it: its name from the council file, then its inbox. */
const agency = (id: string) => `${council.agencies[id]?.name} <${inbox(id)}>`;
const sorted = (...agencies: string[]) => agencies.map(inbox).sort();

describe('the local pipeline for Bath and North East Somerset, over HTTP', () => {
  let runtime: LocalRuntime;
  let path: StepOutcome[];

  beforeAll(async () => {
    runtime = await startRuntime({ council: 'bath-ne-somerset' });
    path = await runEpisodePath(runtime, 'bath-ne-somerset', `ASP-E2E-${Date.now()}`);
    // A start is ~5 s on an idle machine; a JVM booting on a loaded one can take half a minute.
  }, 180_000);
  afterAll(async () => {
    await runtime?.discard();
  });

  it('accepts every event of the episode and moves the clock', () => {
    expect(path.map((s) => s.status)).toEqual([202, 202, 202, 200, 202, 200, 200]);
  });

  it('emails Avon and Somerset police and social care about the report', () => {
    expect(path[0]?.recipients).toEqual(sorted('avon-somerset-police', 'childrens-social-care'));
  });

  it('brings in the safeguarding lead, the Duty and Assessment Team, the exploitation team and the Youth Offending Service for a high-risk exploited child, and tells social care', () => {
    expect(path[1]?.recipients).toEqual(
      sorted(
        'safeguarding-lead',
        'duty-and-assessment',
        'exploitation-team',
        'youth-offending-service',
        'childrens-social-care',
      ),
    );
  });

  it('gives the Youth Offending Service the Return Home Interview on return', () => {
    expect(path[2]?.recipients).toEqual(
      sorted(
        'youth-offending-service',
        'avon-somerset-police',
        'childrens-social-care',
        'education-safeguarding',
      ),
    );
  });

  it('reminds the police and the Youth Offending Service a day before the interviews fall due', () => {
    expect(path[3]?.recipients).toEqual(sorted('avon-somerset-police', 'youth-offending-service'));
  });

  it('tells social care the Prevention Interview’s outcome', () => {
    expect(path[4]?.recipients).toEqual(sorted('childrens-social-care'));
  });

  it('escalates the overdue Return Home Interview after 72 hours', () => {
    expect(path[5]?.recipients).toEqual(
      sorted('youth-offending-service', 'missing-managers', 'childrens-social-care'),
    );
    expect(path[5]?.subjects.every((s) => s.includes('OVERDUE: Return Home Interview'))).toBe(true);
  });

  it('asks Early Help for an assessment when the RHI, recorded from the link in its email, finds a risk of harm', () => {
    expect(path[6]?.recipients).toEqual(
      sorted('early-help', 'childrens-social-care', 'youth-offending-service'),
    );
  });

  it('npm run demo plays the same episode against it and prints, step by step, what each agency received', async () => {
    const demo = await runDemo(runtime.url, runtime.secretEnv());
    expect(demo.code).toBe(0);
    const steps = demo.output.split(/^={20,}$/m).slice(1);
    expect(steps).toHaveLength(7);
    expect(steps[0]).toContain('avon-somerset-police sends missing.reported: 202');
    expect(steps[0]).toContain(`To:      ${agency('avon-somerset-police')}`);
    expect(steps[5]).toContain(`To:      ${agency('missing-managers')}`);
    expect(steps[5]).toContain('OVERDUE: Return Home Interview');
    expect(steps[6]).toContain(`To:      ${agency('early-help')}`);
    // The last step goes through the link in the Youth Offending Service's email, as a worker would.
    expect(steps[6]).toMatch(
      /The link in their email: http:\/\/127\.0\.0\.1:\d+\/v1\/actions\?token=[\w.-]+/,
    );
    expect(steps[6]).toContain('POST the form: 200 "Recorded"');
    expect(steps[6]).toContain(`To:      ${agency('youth-offending-service')}`);
  }, 120_000);
});
