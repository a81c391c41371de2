// The npm package as a consumer gets it: what `npm pack` puts in the tarball, and a fresh project
// that installs the tarball, imports `zkinfer` by name in Node and in TypeScript, and bundles it
// into a browser app with vite, which then proves in headless Chromium. The steps are in
// tests/consumer/build.mjs. Needs the npm registry, or npm's cache, for vite and TypeScript.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { launchChromium, openPage } from '../browser/chromium.mjs';
import { startServer } from '../browser/server.mjs';
import { buildApp, install, pack, run, TYPESCRIPT, VITE } from '../consumer/build.mjs';
import { heldoutRow, importExample, nativeModelId, nativeOk, tempDir } from './helpers.mjs';

const dir = tempDir();
const project = join(dir, 'project');
const installed = join(project, 'node_modules/zkinfer');
const flagship = importExample('breast_cancer_xgboost', dir);
const { input, expected } = heldoutRow('breast_cancer_xgboost');

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

describe('the npm package, installed from its tarball', () => {
  let packed;
  let app;
  const timings = [];

  before(() => {
    let started = performance.now();
    packed = pack(dir);
    timings.push(`pack ${Math.round(performance.now() - started)} ms`);
    started = performance.now();
    mkdirSync(project);
    install(project, packed.tarball);
    const ms = Math.round(performance.now() - started);
    timings.push(`install with vite ${VITE} and typescript ${TYPESCRIPT} ${ms} ms`);
  });

  test('the tarball holds the package and nothing else', (t) => {
    for (const file of [
      'package.json',
      'web/src/index.js',
      'web/src/index.d.ts',
      'web/pkg/zkinfer_wasm.js',
      'web/pkg/zkinfer_wasm_bg.wasm',
    ]) {
      assert.ok(packed.files.includes(file), `${file} is packed`);
    }
    // Only the package's JavaScript, declarations and module: no tests, Rust sources, examples
    // or dependencies.
    const packaged = /^(package\.json|README\.md|LICENSE(\.\w+)?|web\/(src|pkg)\/[\w.-]+)$/;
    assert.deepEqual(packed.files.filter((file) => !packaged.test(file)), [], 'stray files');
    // The module is about 300 kB gzipped: a much larger tarball has picked up something else.
    assert.ok(packed.size < 1 << 20, `tarball of ${kB(packed.size)}`);
    t.diagnostic(`tarball ${kB(packed.size)}, ${kB(packed.unpackedSize)} unpacked`);
    t.diagnostic(`files: ${packed.files.join(', ')}`);
    t.diagnostic(timings.join('; '));
  });

  test('every file its package.json points to is installed', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const targets = [manifest.types];
    const walk = (entry) => {
      if (typeof entry === 'string') targets.push(entry);
      else Object.values(entry).forEach(walk);
    };
    walk(manifest.exports);
    for (const target of targets) {
      assert.ok(existsSync(join(installed, target)), `${target} is installed`);
    }
  });

  test('a Node script imports it by name, proves the flagship and verifies', () => {
    const inputPath = join(project, 'applicant.json');
    writeFileSync(inputPath, JSON.stringify(input));
    const { stdout } = run(process.execPath, ['prove.mjs', flagship.path, inputPath], project);
    const outcome = JSON.parse(stdout);
    assert.equal(outcome.resolved, join(installed, 'web/src/index.js'));
    const id = nativeModelId(nativeOk('inspect', flagship.path));
    assert.equal(outcome.modelId, id);
    assert.equal(outcome.class, expected.class);
    assert.equal(outcome.verified.ok, true);
    assert.equal(outcome.verified.modelId, id);
    assert.equal(outcome.verified.output.class, expected.class);
  });

  test('its TypeScript declarations type-check a consumer, in Node and bundler resolution', () => {
    const tsc = join(project, 'node_modules/typescript/bin/tsc');
    for (const config of ['tsconfig.json', 'tsconfig.bundler.json']) {
      const { stdout } = run(process.execPath, [tsc, '-p', config, '--listFiles'], project);
      assert.ok(
        stdout.split('\n').includes(join(installed, 'web/src/index.d.ts')),
        `${config} uses the installed declarations`,
      );
    }
  });

  test('vite bundles it into a browser app with its WebAssembly module', (t) => {
    const started = performance.now();
    const { dist, assets, log } = buildApp(project, { model: flagship.text, input });
    t.diagnostic(`vite build ${Math.round(performance.now() - started)} ms: ${assets.join(', ')}`);
    if (log.trim()) t.diagnostic(`vite says:\n${log.trim()}`);
    const wasm = assets.filter((asset) => asset.endsWith('.wasm'));
    assert.equal(wasm.length, 1, 'one WebAssembly module');
    assert.ok(
      readFileSync(join(dist, 'assets', wasm[0])).equals(
        readFileSync(join(installed, 'web/pkg/zkinfer_wasm_bg.wasm')),
      ),
      'the module, byte for byte',
    );
    assert.match(readFileSync(join(dist, 'index.html'), 'utf8'), /src="\/assets\/[^"]+\.js"/);
    const scripts = assets.filter((asset) => asset.endsWith('.js'));
    assert.ok(
      scripts.some((js) => readFileSync(join(dist, 'assets', js), 'utf8').includes(wasm[0])),
      'a script fetches the module',
    );
    // index.js starts its Web Worker as `new Worker(new URL('./worker.js', …))`: vite emits
    // the worker as a chunk of its own.
    assert.ok(assets.some((asset) => /^worker.*\.js$/.test(asset)), 'a worker chunk');
    app = dist;
  });

  test('the vite-built app proves in a Web Worker in Chromium and verifies', async (t) => {
    assert.ok(app, 'the app was built');
    const server = await startServer({ root: app });
    const browser = await launchChromium();
    const log = [];
    try {
      const { page } = await openPage(browser, `${server.url}index.html`, { log });
      await page.click('#prove');
      await page.waitForSelector('#result[data-state=done], #result[data-state=error]');
      const state = await page.getAttribute('#result', 'data-state');
      const outcome = JSON.parse(await page.textContent('#result'));
      assert.equal(state, 'done', `${JSON.stringify(outcome)}\n${log.join('\n')}`);
      assert.equal(outcome.mode, 'worker');
      assert.equal(outcome.modelId, nativeModelId(nativeOk('inspect', flagship.path)));
      assert.equal(outcome.class, expected.class);
      assert.equal(outcome.verified, true);
      assert.deepEqual(outcome.phases.at(-1), 'done');
      assert.ok(log.some((line) => /worker started: .*\/assets\/worker/.test(line)), log.join('\n'));
      t.diagnostic(`proved in ${outcome.proveMs} ms in the bundled app's worker`);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
