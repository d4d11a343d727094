/**
 * A real headless Chromium (Debian's `chromium` package) for tests that check what a person sees in a page the
 * project renders. It runs with a fresh profile and every background service off, so the only requests it makes are
 * the page's own; `open` records each request so a test can prove a page needs no network.
 *
 *   describeWithBrowser('…', () => { const browser = useBrowser(); … await browser.open(file) … });
 *
 * A missing browser skips the suite with the reason; with CI=true it fails instead.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The launch flags: headless, no sandbox (containers), and nothing that phones home. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function describeWithBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) describe(name, body);
  else if (process.env.CI === 'true') {
    throw new Error(`${name} needs a browser in CI: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  } else describe.skip(`${name} (skipped: ${CHROMIUM} is missing; apt-get install -y chromium)`, body);
}

export interface OpenedPage {
  readonly page: Page;
  /** Every URL the page asked for, its own included. */
  readonly requests: string[];
  /** Console errors and page errors. */
  readonly errors: string[];
}

/** Launches one browser (fresh --user-data-dir) before the suite and closes it after. */
export function useBrowser(): { open(url: string): Promise<OpenedPage> } {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return {
    async open(url) {
      if (!context) throw new Error('the browser is not running: call useBrowser() at suite level');
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url, { waitUntil: 'load' });
      return { page, requests, errors };
    },
  };
}
