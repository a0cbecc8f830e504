import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '../../infra/local/local-episode-table';
import { stepLinkIn } from '../../infra/local/record-from-link';
import { issueToken } from '../../shared/actions/action-token';
import { DynamoEpisodeStore, episodeTableClient } from '../../shared/adapters/dynamo-episode-store';
import { addDays, addHours, localInputValue } from '../../shared/time/instant';
import { type LocalRuntime, startRuntime } from '../e2e/support/local-runtime';
import { chromiumAvailable, launchChromium } from '../support/chromium';

/**
 * The links in emails, end to end in a real browser: Debian's Chromium driven by playwright-core against
 * `npm start`'s runtime (the same handlers, DynamoDB Local, the local outbox), checked with axe-core.
 * Screenshots of an email and of the page, 375 and 1280 px wide, go to test-results/ for a person to look
 * at; UPDATE_SCREENSHOTS=1 also copies the README's (docs/screenshots/).
 */
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const results = join(repoRoot, 'test-results');
const widths = [375, 1280] as const;
const inbox = 'exploitation.team@towerhamlets.gov.uk';
const timeZone = 'Europe/London';

describe.skipIf(!chromiumAvailable())('a link in an email, in a real browser', { timeout: 180_000 }, () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let store: DynamoEpisodeStore;
  let dynamo: ReturnType<typeof localDynamoDbClient>;
  let ref = 0;

  beforeAll(async () => {
    mkdirSync(results, { recursive: true });
    [runtime, browser] = await Promise.all([startRuntime({ council: 'tower-hamlets' }), launchChromium()]);
    const endpoint = /DynamoDB Local at (http:\/\/[\d.:]+)/.exec(runtime.output())?.[1] ?? '';
    dynamo = localDynamoDbClient(endpoint);
    store = new DynamoEpisodeStore(episodeTableClient(dynamo), 'episodes-tower-hamlets');
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    dynamo?.destroy();
    await runtime?.discard();
  });

  /** A child reported and found an hour ago: the RHI is owed, and its email to the RHI provider offers the link. */
  const returnedChild = async () => {
    const episodeRef = `BROWSER-${Date.now()}-${++ref}`;
    const now = (await runtime.status()).now;
    const event = (type: string, hoursAgo: number, data: Record<string, unknown>) => ({
      specversion: '1.0',
      id: `${episodeRef}-${type}`,
      source: 'urn:browser-test:met-police',
      type,
      time: addHours(now, -hoursAgo),
      data: { episodeRef, ...data },
    });
    const reported = await runtime.send(
      'met-police',
      event('missing.reported', 5, {
        child: { givenName: 'Robin', familyName: 'Sample', dateOfBirth: '2012-04-02' },
        reportedBy: 'parent_carer',
        lastSeenAt: addHours(now, -6),
        riskGrade: 'medium',
      }),
    );
    await runtime.send('met-police', event('missing.found', 1, { foundAt: addHours(now, -1) }));
    const emails = await runtime.settledOutbox();
    const email = emails.filter((e) => e.to.includes(inbox) && e.subject.includes(episodeRef)).at(-1);
    const link = email && stepLinkIn(email.text, 'return_home_interview');
    if (!email || !link) throw new Error('the RHI provider got no email with a link');
    return { episodeRef, episodeId: (reported.body as { episodeId: string }).episodeId, email, link, now };
  };

  /** axe-core's WCAG 2.2 AA and best-practice rules, run in the page (evaluated through the DevTools protocol, which the page's CSP does not govern). */
  const accessibilityViolations = async (page: Page) => {
    await page.evaluate(axe.source);
    const found = (await page.evaluate(
      `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })`,
    )) as axe.AxeResults;
    return found.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  };

  const screenshot = async (page: Page, name: string) => {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: join(results, `${name}-${width}.png`), fullPage: true });
    }
  };

  /** Clicks a form's button and waits for the page its POST answers with: that answer's status. */
  const submit = async (page: Page, button: ReturnType<Page['getByRole']>) => {
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      button.click(),
    ]);
    await page.waitForLoadState();
    return answer.status();
  };

  /** Everything a refused link could have touched: the episode's events, the emails, the pending schedules. */
  const holdings = async (episodeId: string) => {
    await runtime.settledOutbox();
    const status = await runtime.status();
    return {
      events: (await store.getEpisode(episodeId))?.events.length,
      emails: status.outbox.emails,
      schedules: status.schedules.pending.length,
    };
  };

  it('opens the link from the email in the outbox, records the RHI, and the deadline is met, its escalation cancelled and the receipt sent', async () => {
    const child = await returnedChild();
    const page = await browser.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });

    // The email as the worker sees it.
    await page.setContent(child.email.html);
    await screenshot(page, 'email');
    expect(
      await page.getByRole('link', { name: 'Record the Return Home Interview' }).getAttribute('href'),
    ).toBe(child.link);

    const pendingFor = async () =>
      (await runtime.status()).schedules.pending.filter((s) => s.payload.episodeId === child.episodeId);
    expect((await pendingFor()).map((s) => s.payload.noticeKey)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^rhi-esc-/)]),
    );

    const opened = await page.goto(child.link);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(opened?.headers()['referrer-policy']).toBe('no-referrer');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Record the Return Home Interview',
    );
    expect(await page.textContent('main')).toContain(child.episodeRef);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'action-page');
    await page.setViewportSize({ width: 1280, height: 900 });

    // A form sent with nothing filled in: its problems, at the top and at each field, still accessible.
    expect(await submit(page, page.getByRole('button', { name: 'Record the Return Home Interview' }))).toBe(
      422,
    );
    expect(await page.getByRole('alert').textContent()).toContain('There is a problem: nothing was recorded');
    expect(await accessibilityViolations(page)).toEqual([]);

    const heldAt = addHours(child.now, -0.5);
    const fillIn = async (form: ReturnType<Page['locator']>) => {
      await form.getByLabel('When was it held?').fill(localInputValue(heldAt, timeZone));
      await form.getByLabel('A neutral place').check();
      await form.getByLabel('Concerns of exploitation').check();
      await form.getByLabel('Your name').fill('Sam Worker');
    };
    // The same link open in a second tab, filled in too: the double submission a busy worker makes.
    const secondTab = await browser.newPage();
    await secondTab.goto(child.link);
    await fillIn(secondTab.locator('form').first());

    const held = page.locator('form').first();
    await fillIn(held);
    expect(await submit(page, held.getByRole('button', { name: 'Record the Return Home Interview' }))).toBe(
      200,
    );
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Recorded');
    expect(await page.textContent('main')).toContain(
      `A receipt goes to Tower Hamlets Exploitation service (${inbox})`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'action-recorded');

    // Recorded as the email source, through the commit: the deadline met, its notices cancelled.
    const episode = await store.getEpisode(child.episodeId);
    expect(episode?.events.at(-1)).toMatchObject({
      sourceId: 'email:exploitation-service',
      recordedVia: { emailLink: { agencyId: 'exploitation-service', step: 'return_home_interview' } },
    });
    expect(episode?.state.deadlines.find((d) => d.kind === 'return_home_interview')).toMatchObject({
      metAt: new Date(Date.parse(heldAt) - (Date.parse(heldAt) % 60_000)).toISOString(),
      metBy: 'completed',
    });
    const emails = await runtime.settledOutbox();
    expect((await pendingFor()).filter((s) => s.payload.noticeKey.startsWith('rhi-'))).toEqual([]);
    const receipt = emails.filter((e) => e.to.includes(inbox) && e.subject.includes(child.episodeRef)).at(-1);
    expect(receipt?.subject).toContain('Return Home Interview completed');
    expect(receipt?.text).toContain('This is your receipt');
    expect(receipt?.text).toContain('Recorded by Sam Worker, Tower Hamlets Exploitation service.');

    // The second tab's submission is answered as the duplicate it is, and nothing more is stored; the link
    // opened again says so too.
    const before = await holdings(child.episodeId);
    const again = secondTab
      .locator('form')
      .first()
      .getByRole('button', { name: 'Record the Return Home Interview' });
    expect(await submit(secondTab, again)).toBe(200);
    expect(await secondTab.getByRole('heading', { level: 1 }).textContent()).toBe('Already recorded');
    await secondTab.goto(child.link);
    expect(await secondTab.getByRole('heading', { level: 1 }).textContent()).toBe('Already recorded');
    expect(await holdings(child.episodeId)).toEqual(before);
    await secondTab.close();
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('shows an expired and a tampered link their pages, and stores nothing from either', async () => {
    const child = await returnedChild();
    const page = await browser.newPage();
    const before = await holdings(child.episodeId);

    const url = new URL(child.link);
    const token = url.searchParams.get('token') ?? '';
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const tampered = await page.goto(`${url.origin}${url.pathname}?token=${flipped}`);
    expect(tampered?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link is not valid');
    expect(await accessibilityViolations(page)).toEqual([]);

    // A link as the runtime issued one 15 days ago, with its own key.
    const [key] = JSON.parse(
      readFileSync(join(runtime.dataDir, 'action-link-keys.json'), 'utf8'),
    ) as string[];
    const old = issueToken(
      { episodeId: child.episodeId, step: 'return_home_interview', agencyId: 'exploitation-service' },
      key ?? '',
      addDays(child.now, -15),
    );
    const expired = await page.goto(`${url.origin}${url.pathname}?token=${old}`);
    expect(expired?.status()).toBe(410);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link has expired');

    // Neither can record anything, even posted straight at the page with a complete form.
    for (const bad of [flipped, old]) {
      const posted = await page.request.post(`${url.origin}${url.pathname}`, {
        headers: { origin: url.origin },
        form: {
          token: bad,
          type: 'rhi.completed',
          completedAt: localInputValue(child.now, timeZone),
          setting: 'neutral',
          'recordedBy.name': 'Someone',
        },
      });
      expect([404, 410]).toContain(posted.status());
    }
    expect(await holdings(child.episodeId)).toEqual(before);
    await page.close();
  });
});

afterAll(() => {
  // The README's copies, when asked for: the email and the form, each at the widths a person reads them.
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  const docs = join(repoRoot, 'docs', 'screenshots');
  mkdirSync(docs, { recursive: true });
  for (const name of ['email-1280', 'action-page-375']) {
    copyFileSync(join(results, `${name}.png`), join(docs, `${name}.png`));
  }
});
