// Headless Chromium for the browser tests: the system's chromium (Debian's package, installed by
// scripts/setup.sh; `$CHROMIUM` overrides it) driven by playwright-core, which downloads no
// browser of its own. Every page keeps a log of what the browser said (console messages, page
// errors, failed requests, workers) so a failing test can print it.

import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { chromium } from 'playwright-core';

export const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  // Root in a container has no usable sandbox; the pages are our own.
  '--no-sandbox',
  '--disable-gpu',
  // Nothing may reach the network: no background requests, no component or sync updates.
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium with a fresh temporary profile (playwright's default for
 * `launch`, removed when the browser closes).
 */
export async function launchChromium() {
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: ` +
        "run scripts/setup.sh (it installs Debian's chromium) or set $CHROMIUM",
    );
  }
  return chromium.launch({ executablePath, headless: true, args: ARGS, timeout: 60_000 });
}

/**
 * Opens `url` in a new page of `browser` and waits until the page sets `window.ready`.
 * Returns `{page, log, errors}`: `log` the lines the browser said, in order; `errors` the
 * uncaught page errors. Pass the `log` and `errors` of another page to share them.
 */
export async function openPage(browser, url, { log = [], errors = [] } = {}) {
  const page = await browser.newPage();
  const note = (line) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  page.on('console', (m) => note(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => {
    errors.push(e);
    note(`page error: ${e.stack ?? e}`);
  });
  page.on('crash', () => note('page crashed'));
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) note(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('worker', (worker) => {
    note(`worker started: ${worker.url()}`);
    worker.on('console', (m) => note(`worker console.${m.type()}: ${m.text()}`));
    worker.on('close', () => note(`worker closed: ${worker.url()}`));
  });
  await page.goto(url);
  try {
    await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
  } catch (e) {
    throw new Error(`the page did not get ready: ${e.message}\n${log.join('\n')}`);
  }
  return { page, log, errors };
}

/**
 * A node:test test that, when it fails, prints the lines the browser added to `log` during it
 * (and calls `onFailure`).
 */
export function browserTest(name, log, fn, onFailure = () => {}) {
  test(name, async (t) => {
    const from = log.length;
    try {
      await fn(t);
    } catch (e) {
      onFailure();
      const lines = log.slice(from);
      t.diagnostic(`browser log during the test:${lines.length ? '' : ' nothing'}`);
      for (const line of lines) t.diagnostic(`  ${line}`);
      throw e;
    }
  });
}
