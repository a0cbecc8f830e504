import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createActionsHandler } from '../../../functions/actions/actions-handler';
import { apiGatewayEvent } from '../../../infra/local/api-gateway-event';
import { issueToken } from '../../../shared/actions/action-token';
import type { StepKind } from '../../../shared/actions/step-kinds';
import { acceptEvent } from '../../../shared/intake/accept-delivery';
import { addDays, addHours } from '../../../shared/time/instant';
import { towerHamlets } from '../../support/councils';
import { parsedEvent, reportData } from '../../support/events';
import { MemoryEpisodeStore } from '../../support/memory-episode-store';
import { testPseudonymKey } from '../../support/pseudonym-key';

const council = towerHamlets;
const key = 'current-key-0123456789abcdefghijklmnopqrstuvwxyz';
const previousKey = 'previous-key-0123456789abcdefghijklmnopqrstuvwxyz';
const origin = 'https://pages.example.org';
const ref = 'MPS-LINK-1';
const foundAt = '2026-10-24T09:30:00.000Z';

let now: string;
let keyRing: string[];
let store: MemoryEpisodeStore;
let episodeId: string;
let handle: ReturnType<typeof createActionsHandler>;

const ports = () => ({ store, council, pseudonymKey: testPseudonymKey, clock: { now: () => now } });

const accept = async (sourceId: string, event: Parameters<typeof acceptEvent>[1]['event']) => {
  const outcome = await acceptEvent(ports(), { sourceId, event });
  if (!outcome.ok) throw new Error(outcome.error.detail);
  return outcome.accepted;
};

beforeEach(async () => {
  now = '2026-10-24T12:00:00.000Z';
  keyRing = [key];
  store = new MemoryEpisodeStore();
  episodeId = (
    await accept(
      'met-police',
      parsedEvent('missing.reported', reportData(ref), { id: 'report', time: '2026-10-22T19:00:00Z' }),
    )
  ).episodeId;
  await accept(
    'met-police',
    parsedEvent('missing.found', { episodeRef: ref, foundAt }, { id: 'found', time: foundAt }),
  );
  store.takeOutbox();
  handle = createActionsHandler({
    ...ports(),
    keys: { keys: async () => keyRing },
    origin,
    logger: new Logger({ serviceName: 'actions-test', logLevel: 'SILENT' }),
  });
});

const tokenFor = (
  step: StepKind = 'return_home_interview',
  agencyId = 'exploitation-service',
  signWith = key,
) => issueToken({ episodeId, step, agencyId }, signWith, now);

const get = (token?: string) =>
  handle(
    apiGatewayEvent({
      method: 'GET',
      url: `/v1/actions${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`,
      headers: { host: 'pages.example.org' },
      body: Buffer.alloc(0),
      sourceIp: '192.0.2.1',
      routeKey: 'GET /v1/actions',
      pathParameters: {},
      receivedAt: new Date(now),
    }),
  );

const post = (fields: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
  }
  return handle(
    apiGatewayEvent({
      method: 'POST',
      url: '/v1/actions',
      headers: {
        host: 'pages.example.org',
        origin,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: Buffer.from(form.toString()),
      sourceIp: '192.0.2.1',
      routeKey: 'POST /v1/actions',
      pathParameters: {},
      receivedAt: new Date(now),
    }),
  );
};

/** A Return Home Interview held yesterday afternoon, UK time, as a worker fills the form in. */
const rhiHeld = (token: string, overrides: Record<string, string | string[]> = {}) => ({
  token,
  type: 'rhi.completed',
  completedAt: '2026-10-24T11:15',
  setting: 'neutral',
  concerns: ['riskOfHarm'],
  'referral.outcome': 'signposted',
  'referral.to': 'Youth counselling service',
  'recordedBy.name': 'Sam Worker',
  ...overrides,
});

const text = (result: APIGatewayProxyStructuredResultV2) => result.body ?? '';
const episode = async () => (await store.getEpisode(episodeId))!;
const rhiDeadline = async () =>
  (await episode()).state.deadlines.find((d) => d.kind === 'return_home_interview');

describe('the action page, opened from a link', () => {
  it("shows the episode reference, the step, its deadline and the time left, and a form for each of the step's events", async () => {
    const page = await get(tokenFor());
    expect(page.statusCode).toBe(200);
    const html = text(page);
    expect(html).toContain('<h1>Record the Return Home Interview</h1>');
    expect(html).toContain(ref);
    expect(html).toContain('Tue 27 Oct 2026, 09:30 GMT');
    expect(html).toContain('2 days 21 hours');
    expect(html).toContain('Tower Hamlets Exploitation service');
    expect(html).toContain('<h2>The interview was held</h2>');
    expect(html).toContain('<h2>The child declined the interview</h2>');
    expect(html).toMatch(/<form method="post" action="\/v1\/actions"/);
    // Nothing about the child but the reference: a forwarded link shows no name.
    expect(html).not.toContain('Alex');
    expect(html).not.toContain('Example');
    expect(html).not.toContain('2011-05-14');
  });

  it('answers with a strict content security policy, no referrer, noindex and no caching', async () => {
    const { headers } = await get(tokenFor());
    expect(headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex, nofollow',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    const csp = String(headers?.['content-security-policy']);
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; frame-ancestors 'none'/,
    );
    expect(csp).not.toContain('unsafe');
    expect(text(await get(tokenFor()))).toContain('<meta name="robots" content="noindex, nofollow">');
  });

  it('says an expired link has expired, and a changed or missing one is not valid, reading no episode', async () => {
    const token = tokenFor();
    now = addDays(now, 14);
    const expired = await get(token);
    expect([expired.statusCode, text(expired)]).toEqual([
      410,
      expect.stringContaining('This link has expired'),
    ]);
    now = '2026-10-24T12:00:00.000Z';
    const changed = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    for (const bad of [changed, '', undefined, 'not-a-token']) {
      const page = await get(bad);
      expect([page.statusCode, text(page)]).toEqual([404, expect.stringContaining('This link is not valid')]);
    }
  });

  it('refuses a link for an agency the council file does not let record that step', async () => {
    const page = await get(tokenFor('return_home_interview', 'met-police'));
    expect(page.statusCode).toBe(404);
  });

  it('takes a link signed with a key being rotated out while the ring holds it, and refuses it once dropped', async () => {
    const signedBefore = tokenFor('return_home_interview', 'exploitation-service', previousKey);
    keyRing = [key, previousKey];
    expect((await get(signedBefore)).statusCode).toBe(200);
    keyRing = [key];
    expect((await get(signedBefore)).statusCode).toBe(404);
  });

  it('says there is nothing to record once the episode is withdrawn', async () => {
    await accept(
      'met-police',
      parsedEvent('episode.withdrawn', { episodeRef: ref, reason: 'Reported in error' }, { time: now }),
    );
    const page = await get(tokenFor());
    expect([page.statusCode, text(page)]).toEqual([409, expect.stringContaining('withdrawn')]);
  });
});

describe('the form, submitted', () => {
  it('records the step as the email source, through the commit a webhook goes through, and confirms it', async () => {
    const page = await post(rhiHeld(tokenFor()));
    expect(page.statusCode).toBe(200);
    expect(text(page)).toContain('<h1>Recorded</h1>');
    expect(text(page)).toContain('The interview was held on Sat 24 Oct 2026, 11:15 BST.');
    expect(text(page)).toContain('exploitation.team@towerhamlets.gov.uk');

    const stored = (await episode()).events.at(-1)!;
    expect(stored).toMatchObject({
      sourceId: 'email:exploitation-service',
      recordedVia: {
        emailLink: {
          agencyId: 'exploitation-service',
          step: 'return_home_interview',
          expiresAt: addDays(now, 14),
        },
      },
      event: {
        type: 'rhi.completed',
        data: {
          episodeRef: ref,
          completedAt: '2026-10-24T10:15:00.000Z',
          setting: 'neutral',
          concerns: { riskOfHarm: true, immediateSignificantHarm: false, exploitation: false },
          referral: { outcome: 'signposted', to: 'Youth counselling service' },
          recordedBy: { name: 'Sam Worker' },
        },
      },
    });
    expect(await rhiDeadline()).toMatchObject({ metAt: '2026-10-24T10:15:00.000Z', metBy: 'completed' });
    // The routing message and the cancelled reminders went into the outbox with the commit.
    const outbox = store.takeOutbox();
    expect(outbox).toContainEqual(
      expect.objectContaining({
        kind: 'routing',
        message: { episodeId, eventId: stored.event.id, sourceId: 'email:exploitation-service' },
      }),
    );
    const deadlines = outbox.find((item) => item.kind === 'deadlines');
    expect(
      deadlines?.kind === 'deadlines' && deadlines.cancel.map((n) => `${n.deadlineKind} ${n.notice}`),
    ).toEqual(expect.arrayContaining(['return_home_interview escalation', 'return_home_interview reminder']));
  });

  it('takes a form from its own page, whose no-referrer policy makes the browser send Origin: null', async () => {
    const page = await post(rhiHeld(tokenFor()), { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(page.statusCode).toBe(200);
  });

  it('answers a second submission through the link as a duplicate, storing nothing more', async () => {
    const token = tokenFor();
    await post(rhiHeld(token));
    const events = (await episode()).events.length;
    store.takeOutbox();
    const again = await post(rhiHeld(token, { type: 'rhi.declined', declinedAt: '2026-10-24T11:00' }));
    expect([again.statusCode, text(again)]).toEqual([200, expect.stringContaining('Already recorded')]);
    expect((await episode()).events).toHaveLength(events);
    expect(store.takeOutbox()).toEqual([]);
    // Opening the link again says the same.
    expect(text(await get(token))).toContain('was recorded from this link on Sat 24 Oct 2026, 13:00 BST');
  });

  it('records that the child declined, with their reason', async () => {
    const page = await post({
      token: tokenFor(),
      type: 'rhi.declined',
      declinedAt: '2026-10-24T11:00',
      reason: 'Did not want to talk\r\nto anyone',
    });
    expect(text(page)).toContain('The child declined the interview on Sat 24 Oct 2026, 11:00 BST.');
    expect(await rhiDeadline()).toMatchObject({ metBy: 'declined' });
  });

  it('shows a rule the event breaks on the form (an RHI before the return) and stores nothing', async () => {
    const page = await post(rhiHeld(tokenFor(), { completedAt: '2026-10-23T09:00' }));
    expect(page.statusCode).toBe(422);
    expect(text(page)).toContain('There is a problem: nothing was recorded');
    expect(text(page)).toMatch(
      /<a href="#f0-completedAt">When was it held\?: is before the child was found<\/a>/,
    );
    expect(text(page)).toContain('aria-invalid="true"');
    // What was typed is still there, to correct.
    expect(text(page)).toContain('value="Sam Worker"');
    expect((await episode()).events).toHaveLength(2);
    expect(store.takeOutbox()).toEqual([]);
  });

  it('names every field missing or wrong, in words, and stores nothing', async () => {
    const page = await post({ token: tokenFor(), type: 'rhi.completed', completedAt: '2026-02-30T10:00' });
    expect(page.statusCode).toBe(422);
    const html = text(page);
    expect(html).toContain('When was it held?: Enter a real date and time, in UK time');
    expect(html).toContain('Where was it held?: Choose one of the options');
    expect(html).toContain('Your name: Enter your name');
    expect((await episode()).events).toHaveLength(2);
  });

  it('refuses a time in the future, as a webhook would be', async () => {
    const page = await post(rhiHeld(tokenFor(), { completedAt: '2026-10-25T12:00' }));
    expect(page.statusCode).toBe(422);
    expect(text(page)).toContain('is in the future');
  });

  it('keeps notes short', async () => {
    const page = await post({
      ...rhiHeld(tokenFor()),
      type: 'rhi.declined',
      declinedAt: '2026-10-24T11:00',
      reason: 'x'.repeat(501),
    });
    expect(text(page)).toContain('Keep it to 500 characters or fewer');
  });

  it('refuses a form sent from another site, in another encoding, or without its token, storing nothing', async () => {
    const token = tokenFor();
    const elsewhere = await post(rhiHeld(token), { origin: 'https://evil.example' });
    expect([elsewhere.statusCode, text(elsewhere)]).toEqual([403, expect.stringContaining('another site')]);
    expect((await post(rhiHeld(token), { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await post(rhiHeld(token), { origin: 'null', 'sec-fetch-site': 'same-site' })).statusCode).toBe(
      403,
    );
    expect((await post(rhiHeld(token), { 'content-type': 'text/plain' })).statusCode).toBe(403);
    expect((await post(rhiHeld(''))).statusCode).toBe(404);
    expect((await episode()).events).toHaveLength(2);
  });

  it('refuses a form for an event the link does not record', async () => {
    const page = await post(rhiHeld(tokenFor(), { type: 'episode.withdrawn', reason: 'x' }));
    expect(page.statusCode).toBe(403);
    expect((await episode()).events).toHaveLength(2);
  });

  it('says there is nothing to record when the step was recorded meanwhile by the agency’s system', async () => {
    const token = tokenFor();
    expect((await get(token)).statusCode).toBe(200);
    await accept(
      'exploitation-team',
      parsedEvent('rhi.declined', { episodeRef: ref, declinedAt: '2026-10-24T10:00:00Z' }, { time: now }),
    );
    const page = await post(rhiHeld(token));
    expect([page.statusCode, text(page)]).toEqual([
      409,
      expect.stringContaining('already recorded, on Sat 24 Oct 2026, 11:00 BST'),
    ]);
    expect((await episode()).events.filter((e) => e.sourceId.startsWith('email:'))).toEqual([]);
  });

  it('records a step that fixes a field: the manager’s review, while the child is still missing', async () => {
    const second = await accept(
      'met-police',
      parsedEvent('missing.reported', reportData('MPS-LINK-2'), {
        id: 'report-2',
        time: '2026-10-24T08:00:00Z',
      }),
    );
    episodeId = second.episodeId;
    const page = await post({
      token: tokenFor('manager_review', 'childrens-social-care'),
      type: 'missing.reviewed',
      reviewedAt: '2026-10-24T12:30',
      'recordedBy.name': 'Pat Manager',
      note: 'Search widened.',
    });
    expect(page.statusCode).toBe(200);
    expect((await episode()).events.at(-1)?.event).toMatchObject({
      type: 'missing.reviewed',
      data: { level: 'manager', note: 'Search widened.' },
    });
  });

  it('answers another method 405, naming the two it takes', async () => {
    const result = await handle(
      apiGatewayEvent({
        method: 'PUT',
        url: '/v1/actions',
        headers: {},
        body: Buffer.alloc(0),
        sourceIp: '192.0.2.1',
        routeKey: 'ANY /v1/actions',
        pathParameters: {},
        receivedAt: new Date(now),
      }),
    );
    expect([result.statusCode, result.headers?.allow]).toEqual([405, 'GET, POST']);
  });
});

describe('a link to record the police’s risk re-assessment', () => {
  it('is open while the child is missing, and records the grade and factors', async () => {
    const second = await accept(
      'schools',
      parsedEvent('missing.reported', reportData('SCH-1', { reportedBy: 'school' }), {
        time: addHours(now, -1),
      }),
    );
    episodeId = second.episodeId;
    const token = tokenFor('risk_assessment', 'met-police');
    expect(text(await get(token))).toContain('Record the risk assessment');
    const page = await post({
      token,
      type: 'missing.risk_assessed',
      riskGrade: 'high',
      assessedAt: '2026-10-24T12:45',
      riskFactors: ['criminal_exploitation', 'not-a-factor'],
    });
    expect(page.statusCode).toBe(200);
    expect((await episode()).state).toMatchObject({
      riskGrade: 'high',
      riskFactors: ['criminal_exploitation'],
    });
  });

  it('is closed once the child is found', async () => {
    const page = await get(tokenFor('risk_assessment', 'met-police'));
    expect([page.statusCode, text(page)]).toEqual([
      409,
      expect.stringContaining('no longer recorded as missing'),
    ]);
  });
});
