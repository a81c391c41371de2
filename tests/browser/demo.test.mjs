// The web experience end to end, as `npm run demo` runs it: the demo data made with the native
// CLI, the real verifier service (`zkinfer serve`, which also serves the pages) on loopback, and
// headless Chromium driving the credit page like an applicant: fill the form, cancel a proof,
// prove with progress, the service verifies; a replay and a tampered output are refused. Then
// the badge page from the same server. Screenshots go to $ZKINFER_ARTIFACTS (default
// target/artifacts/): credit-form.png, credit-verified.png, credit-refused.png, demo-badges.png.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { prepareDemo, paths, serveArgs } from '../../scripts/demo.mjs';
import { nativeOk, PHASES, root, tempDir, zkinferBin } from '../node/helpers.mjs';
import { launchChromium, openPage } from './chromium.mjs';

const artifacts = process.env.ZKINFER_ARTIFACTS ?? join(root, 'target/artifacts');
const ENVELOPE_FIELDS = ['context', 'input_commitment', 'model_id', 'output', 'profile', 'proof', 'version'];

let server;
let url;
let serverLog = '';
let browser;

before(async () => {
  const zkinfer = zkinferBin();
  await prepareDemo({ zkinfer, quiet: true });
  server = spawn(zkinfer, serveArgs('127.0.0.1:0'), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.setEncoding('utf8');
  server.stderr.on('data', (text) => (serverLog += text));
  url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (text) => {
      out += text;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`zkinfer serve exited with ${code}:\n${serverLog}`)));
  });
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
});

/** Runs `fn(page)` on a fresh page at `path`; on failure prints what the browser said. */
async function withPage(t, path, fn) {
  const log = [];
  const errors = [];
  const { page } = await openPage(browser, `${url}${path}`, { log, errors });
  try {
    await fn(page);
    assert.deepEqual(errors, [], 'no uncaught page errors');
  } catch (e) {
    for (const line of log) t.diagnostic(line);
    throw e;
  } finally {
    await page.close();
  }
}

async function screenshot(page, name) {
  const path = join(artifacts, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

test('credit check: cancel, prove with progress, the service verifies; replay and tamper are refused', async (t) => {
  await withPage(t, '/demo/credit.html', async (page) => {
    const verifies = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/verify')) verifies.push(request.postData());
    });

    // The applicant changes a few answers; the rest keep their defaults.
    await page.fill('#f-duration_months', '24');
    await page.fill('#f-credit_amount', '3200');
    await page.fill('#f-age_years', '41');
    await page.selectOption('#f-checking_account', '3');
    assert.equal(await page.locator('#model-id').textContent(), nativeModelId());
    await screenshot(page, 'credit-form.png');

    // A first run, cancelled by the Cancel button as soon as proving reports progress: the
    // worker stops and nothing is sent.
    await page.evaluate(() => {
      document.addEventListener('proof-progress', () => document.getElementById('cancel').click(), {
        once: true,
      });
    });
    await page.click('#prove');
    await page.waitForSelector('body[data-state="cancelled"]');
    assert.deepEqual(await page.evaluate(() => window.progressLog.map((p) => p.phase)), ['trace']);
    assert.match(await page.locator('#status').textContent(), /Cancelled/);
    assert.equal(verifies.length, 0, 'a cancelled run sends nothing');

    // The second run proves with progress and is verified by the service.
    await page.click('#prove');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done',
      await page.locator('#status').textContent());
    const progress = await page.evaluate(() => window.progressLog);
    assert.deepEqual(progress.map((p) => p.phase), PHASES);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction > progress[i - 1].fraction);
    assert.equal(await page.locator('#progress-box').isVisible(), true);
    assert.equal(await page.locator('#progress').evaluate((bar) => bar.value), 1);

    const answer = page.locator('#answer');
    assert.equal(await answer.getAttribute('data-state'), 'verified', await answer.textContent());
    assert.match(await answer.textContent(), /Verified \(HTTP 200\): score ≥ 0: (true|false), by model “credit”/);
    // What went to the service: the envelope and nothing else, proved under its nonce.
    assert.equal(verifies.length, 1);
    const sent = JSON.parse(verifies[0]);
    assert.deepEqual(Object.keys(sent).sort(), ENVELOPE_FIELDS);
    assert.ok('at_least' in sent.output, 'only "score ≥ cut-off" is disclosed');
    const nonce = await page.locator('#nonce').textContent();
    assert.equal(Buffer.from(sent.context, 'base64').toString(), nonce);
    assert.equal(sent.input_commitment, await page.locator('#commitment').textContent());
    assert.match(await page.locator('#proof-size').textContent(), /^\d+\.\d KB/);
    // The native verifier agrees.
    const file = join(tempDir(), 'sent.json');
    writeFileSync(file, verifies[0]);
    assert.match(nativeOk('verify', join(paths.models, 'credit.json'), file, '--context', nonce), /verified/i);
    await screenshot(page, 'credit-verified.png');

    // A replay of the same envelope is refused: its nonce is spent.
    await page.click('#replay');
    await page.waitForSelector('#attempt[data-state="refused"]');
    assert.equal(await page.locator('#attempt').getAttribute('data-code'), 'NONCE_USED');

    // A fresh proof whose output is flipped is refused by the proof check.
    await page.click('#tamper');
    await page.waitForSelector('#attempt[data-state="refused"][data-code="INVALID_PROOF"]', { timeout: 60_000 });
    await screenshot(page, 'credit-refused.png');
    assert.equal(verifies.length, 3);
  });
});

test('a higher cut-off is proved and verified as its own threshold', async (t) => {
  await withPage(t, '/demo/credit.html', async (page) => {
    await page.selectOption('#cutoff', '0.8');
    await page.click('#prove');
    await page.waitForSelector('body[data-state="done"]', { timeout: 60_000 });
    const answer = await page.locator('#answer').textContent();
    // logit(0.8) = 1.386…, on the model's fixed-point grid.
    assert.match(answer, /Verified \(HTTP 200\): score ≥ 1\.38\d*: (true|false)/);
  });
});

test('the badge page, served by the demo server, shows verified and failed badges', async (t) => {
  await withPage(t, '/demo/badge.html', async (page) => {
    const states = await page.$$eval('zkinfer-badge', (badges) => badges.map((b) => b.getAttribute('state')));
    assert.deepEqual(states.toSorted(), ['failed', 'verified', 'verified', 'verified', 'verified']);
    const failed = await page.$eval('zkinfer-badge[state="failed"]', (b) => b.error?.code);
    assert.equal(failed, 'INVALID_PROOF');
    await screenshot(page, 'demo-badges.png');
  });
});

test('the demo server stops gracefully and logged every request as JSON', async () => {
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  server.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
  const events = serverLog.trim().split('\n').map((line) => JSON.parse(line));
  // Two verified proofs (one per cut-off), the replay and the tampered output.
  const verifies = events.filter((e) => e.path === '/v1/verify').map((e) => e.code || String(e.status));
  assert.deepEqual(verifies.toSorted(), ['200', '200', 'INVALID_PROOF', 'NONCE_USED']);
  assert.ok(events.some((e) => e.event === 'stopped'));
});

/** The credit model's id, as the native CLI computes it. */
function nativeModelId() {
  const out = nativeOk('inspect', join(paths.models, 'credit.json'));
  return /[0-9a-f]{64}/.exec(out)[0];
}
