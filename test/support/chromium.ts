import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (apt-get install -y chromium), or another one named by CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run here: a Chromium is installed. They skip, saying so, where it is not;
 * under CI (`.ci/run` installs Debian's chromium when missing) a missing browser fails instead.
 */
export const chromiumAvailable = (): boolean => {
  if (existsSync(CHROMIUM)) return true;
  const why = `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI must run the browser tests`);
  console.warn(`skipped: the browser tests, ${why}`);
  return false;
};

/**
 * Headless Chromium through playwright-core (Playwright's own browser download is not used), with the
 * flags that keep it off the network it would otherwise call home to.
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
