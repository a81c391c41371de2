// The <zkinfer-badge> element (web/src/badge.js) in headless Chromium, on the demo page
// web/demo/badge.html served with web/ as the root: its data is made first, as a static site
// would make it, by scripts/demo-badges.mjs with the native CLI (into web/demo/models/ and
// web/demo/badges/, which git ignores). Checks the outcome of every badge, keyboard use and
// what a screen reader is told, and writes a screenshot of the page to
// $ZKINFER_ARTIFACTS/badge-page.png (default target/artifacts/).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { heldoutRows, ITEMS, makeBadges, TAMPERED_FROM } from '../../scripts/demo-badges.mjs';
import { heldoutRow, nativeOk, root, tempDir, zkinferBin } from '../node/helpers.mjs';
import { browserTest as logged, launchChromium, openPage } from './chromium.mjs';
import { startServer } from './server.mjs';

const web = join(root, 'web');
const modelPath = join(web, 'demo/models/wine.json');
const badgesDir = join(web, 'demo/badges');
const artifacts = process.env.ZKINFER_ARTIFACTS ?? join(root, 'target/artifacts');

let index;
let server;
let browser;
let page;
const log = [];
const errors = [];

before(async () => {
  rmSync(badgesDir, { recursive: true, force: true });
  index = await makeBadges({ zkinfer: zkinferBin(), modelPath, outDir: badgesDir });
  server = await startServer({ root: web });
  browser = await launchChromium();
  ({ page } = await openPage(browser, `${server.url}demo/badge.html`, { log, errors }));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A test that, when it fails, prints what the browser said meanwhile. */
function browserTest(name, fn) {
  logged(name, log, fn);
}

/** What each badge of the page shows and holds, by listing id. */
function badges() {
  return page.evaluate(() => {
    const shown = {};
    for (const badge of document.querySelectorAll('zkinfer-badge')) {
      const part = (name) => badge.shadowRoot.querySelector(`[part~="${name}"]`);
      shown[badge.dataset.item] = {
        state: badge.state,
        stateAttribute: badge.getAttribute('state'),
        result: badge.result,
        error: badge.error && { code: badge.error.code, message: badge.error.message },
        headline: part('headline').textContent,
        summary: [...part('summary').children].map((span) => span.textContent),
        title: part('badge').title,
        status: {
          text: part('status').textContent,
          role: part('status').getAttribute('role'),
          live: part('status').getAttribute('aria-live'),
        },
        details: part('details').textContent,
      };
    }
    return shown;
  });
}

browserTest('the demo page verifies every badge in the page; the tampered one fails', async () => {
  assert.equal(await page.evaluate(() => window.demoError), undefined);
  assert.deepEqual(errors, []);
  const shown = await badges();
  assert.deepEqual(Object.keys(shown), index.items.map((item) => item.id));
  const modelId = nativeOk('inspect', modelPath).match(/^model id +([0-9a-f]{64})$/m)[1];
  for (const { id, row } of ITEMS) {
    const badge = shown[id];
    const item = index.items.find((i) => i.id === id);
    const expected = heldoutRow('wine_random_forest', row).expected.class;
    assert.equal(badge.state, 'verified', `${id}: ${JSON.stringify(badge.error)}`);
    assert.equal(badge.stateAttribute, 'verified');
    assert.equal(badge.result.modelId, modelId);
    const output = { kind: 'class', class: expected, label: String(expected) };
    assert.deepEqual(badge.result.output, output);
    assert.equal(badge.headline, `Verified: class ${expected}`);
    assert.deepEqual(badge.summary, [item.context, `model ${modelId.slice(0, 8)}…`]);
    assert.equal(badge.title, `model id ${modelId}`);
    assert.ok(badge.details.includes(modelId), 'the full model id in the details');
    assert.ok(badge.details.includes(badge.result.inputCommitment));
    assert.equal(badge.status.role, 'status');
    assert.equal(badge.status.live, 'polite');
    assert.equal(
      badge.status.text,
      `Verified: class ${expected}, for ${item.context}, model ${modelId.slice(0, 8)}….`,
    );
    // The native verifier agrees.
    const envelope = join(badgesDir, item.envelope);
    const out = nativeOk('verify', modelPath, envelope, '--context', item.context);
    assert.match(out, new RegExp(`^valid: class ${expected}\\b`, 'm'));
  }
  const tampered = index.items.find((item) => item.tampered);
  assert.equal(tampered.context, index.items.find((i) => i.id === TAMPERED_FROM).context);
  const badge = shown[tampered.id];
  assert.equal(badge.state, 'failed');
  assert.equal(badge.stateAttribute, 'failed');
  assert.equal(badge.result, null);
  assert.equal(badge.error.code, 'INVALID_PROOF', badge.error.message);
  assert.equal(badge.headline, 'Verification failed');
  const short = `model ${modelId.slice(0, 8)}…`;
  assert.deepEqual(badge.summary, ['INVALID_PROOF', tampered.context, short]);
  assert.match(badge.status.text, /^Verification failed: the proof is invalid.*\(INVALID_PROOF\)\.$/);
  assert.ok(badge.details.includes(`INVALID_PROOF: ${badge.error.message}`));
  // Every badge shares one fetch of the model.
  const fetches = await page.evaluate(
    () =>
      performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.endsWith('/demo/models/wine.json')).length,
  );
  assert.equal(fetches, 1);
  assert.match(await page.textContent('#status'), /^4 of 5 badges verified in this page; 1 failed\./);
});

browserTest('a badge is a button: Tab focuses it, Enter and Space toggle its details', async () => {
  await page.evaluate(() => document.activeElement?.blur());
  const focused = () =>
    page.evaluate(() => {
      const host = document.activeElement;
      if (host?.localName !== 'zkinfer-badge') return null;
      const button = host.shadowRoot.activeElement;
      const details = host.shadowRoot.querySelector('[part~="details"]');
      return {
        item: host.dataset.item,
        tag: button?.localName,
        expanded: button?.getAttribute('aria-expanded'),
        controls: button?.getAttribute('aria-controls'),
        hidden: details.hidden,
        visible: details.getBoundingClientRect().height > 0,
        open: host.open,
        focusVisible: button?.matches(':focus-visible'),
        outline: button && getComputedStyle(button).outlineStyle,
      };
    });
  let state = null;
  for (let presses = 0; presses < 20 && !state; presses += 1) {
    await page.keyboard.press('Tab');
    state = await focused();
  }
  assert.ok(state, 'Tab reaches a badge');
  assert.equal(state.item, index.items[0].id, 'the first badge first');
  assert.equal(state.tag, 'button');
  assert.equal(state.controls, 'details');
  assert.equal(state.expanded, 'false');
  assert.equal(state.hidden, true);
  assert.equal(state.focusVisible, true);
  assert.notEqual(state.outline, 'none', 'a visible focus outline');

  await page.keyboard.press('Enter');
  state = await focused();
  assert.equal(state.expanded, 'true');
  assert.equal(state.hidden, false);
  assert.equal(state.visible, true);
  assert.equal(state.open, true);

  await page.keyboard.press('Space');
  state = await focused();
  assert.equal(state.expanded, 'false');
  assert.equal(state.hidden, true);
  assert.equal(state.open, false);

  // The next Tab goes on to the next badge.
  await page.keyboard.press('Tab');
  state = await focused();
  assert.equal(state?.item, index.items[1].id);
});

/**
 * Adds a badge to the page with `attributes` (and `model`, a property, when given), waits for
 * its outcome and returns it with the events it fired.
 */
function addBadge(attributes, { model } = {}) {
  return page.evaluate(
    async ([attributes, model]) => {
      const badge = document.createElement('zkinfer-badge');
      const events = [];
      for (const type of ['zkinfer-verified', 'zkinfer-failed']) {
        badge.addEventListener(type, (e) => events.push({ type, code: e.detail?.code ?? null }));
      }
      for (const [name, value] of Object.entries(attributes)) badge.setAttribute(name, value);
      if (model !== undefined) badge.model = model;
      badge.id = `extra-${document.querySelectorAll('zkinfer-badge').length}`;
      document.body.append(badge);
      const outcome = await badge.whenDone();
      return {
        id: badge.id,
        state: badge.getAttribute('state'),
        output: outcome.result?.output ?? null,
        error: outcome.error && { code: outcome.error.code, message: outcome.error.message },
        events,
      };
    },
    [attributes, model],
  );
}

browserTest('a badge given another context fails, and verifies once it gets the right one', async () => {
  const item = index.items[1];
  const expected = heldoutRow('wine_random_forest', ITEMS[1].row).expected.class;
  const wrong = await addBadge({
    model: 'models/wine.json',
    src: `badges/${item.envelope}`,
    context: `${item.id}@1999-01-01`,
  });
  assert.equal(wrong.state, 'failed');
  assert.equal(wrong.error.code, 'INVALID_PROOF');
  assert.match(wrong.error.message, /another context/);
  assert.deepEqual(wrong.events, [{ type: 'zkinfer-failed', code: 'INVALID_PROOF' }]);

  // Changing the attribute verifies again.
  const fixed = await page.evaluate(async ([id, context]) => {
    const badge = document.getElementById(id);
    badge.context = context;
    const outcome = await badge.whenDone();
    return { state: badge.getAttribute('state'), output: outcome.result?.output };
  }, [wrong.id, item.context]);
  assert.equal(fixed.state, 'verified');
  assert.equal(fixed.output.class, expected);

  // No context at all is the empty context, which this envelope was not made for.
  const none = await addBadge({ model: 'models/wine.json', src: `badges/${item.envelope}` });
  assert.equal(none.error?.code, 'INVALID_PROOF');
});

browserTest('binary envelopes, inline envelopes, model properties and fetch failures', async () => {
  const item = index.items[2];
  const expected = heldoutRow('wine_random_forest', ITEMS[2].row).expected.class;
  // A binary envelope of the same listing, made with --binary (its input and opening kept
  // out of the served folder).
  const secret = tempDir();
  const input = join(secret, 'input.json');
  writeFileSync(input, JSON.stringify(heldoutRows()[ITEMS[2].row].features));
  nativeOk('prove', modelPath, input, '--context', item.context, '--binary',
    '-o', join(badgesDir, 'binary.bin'), '--opening', join(secret, 'opening.json'));
  const binary = await addBadge({
    model: 'models/wine.json',
    src: 'badges/binary.bin',
    context: item.context,
  });
  assert.equal(binary.state, 'verified', JSON.stringify(binary.error));
  assert.equal(binary.output.class, expected);
  assert.deepEqual(binary.events, [{ type: 'zkinfer-verified', code: null }]);

  // The envelope inline, the model as a property (its parsed JSON).
  const envelope = readFileSync(join(badgesDir, item.envelope), 'utf8');
  const inline = await addBadge(
    { envelope, context: item.context },
    { model: JSON.parse(readFileSync(modelPath, 'utf8')) },
  );
  assert.equal(inline.state, 'verified', JSON.stringify(inline.error));
  assert.equal(inline.output.class, expected);

  const missing = await addBadge({ model: 'models/none.json', src: `badges/${item.envelope}` });
  assert.equal(missing.error.code, 'FETCH_FAILED');
  assert.match(missing.error.message, /HTTP 404/);
  const garbage = await addBadge({ model: 'models/wine.json', envelope: 'not an envelope' });
  assert.equal(garbage.error.code, 'BAD_ENVELOPE');
  const nothing = await addBadge({ model: 'models/wine.json' });
  assert.equal(nothing.error.code, 'BAD_INPUT');
  assert.deepEqual(errors, []);
});

browserTest('a screenshot of the demo page', async (t) => {
  mkdirSync(artifacts, { recursive: true });
  // The added badges go; the first badge and the tampered one show their details.
  await page.evaluate(() => {
    for (const badge of document.querySelectorAll('zkinfer-badge[id^="extra-"]')) badge.remove();
    const all = document.querySelectorAll('#listings zkinfer-badge');
    all[0].open = true;
    all[all.length - 1].open = true;
    document.activeElement?.blur();
  });
  await page.setViewportSize({ width: 1100, height: 900 });
  const path = join(artifacts, 'badge-page.png');
  await page.screenshot({ path, fullPage: true });
  t.diagnostic(`screenshot: ${path}`);
});

test('importing zkinfer/badge in Node does not fail; there is nothing to define', async () => {
  const badge = await import('../../web/src/badge.js');
  assert.equal(typeof badge.ZkinferBadge, 'function');
  assert.equal(badge.defineBadge(), null);
  assert.equal(badge.describeOutput({ kind: 'atLeast', threshold: 0.5, holds: true }), 'score ≥ 0.5');
  assert.equal(
    badge.describeOutput({ kind: 'scores', scores: [0.25, 0.75], fixed: [] }, ['no', 'yes']),
    'scores no: 0.25, yes: 0.75',
  );
});
