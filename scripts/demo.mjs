#!/usr/bin/env node
// `npm run demo`: the whole web experience on this machine. Builds what is missing (the
// WebAssembly package, the release CLI), writes the demo data (the credit model and its form,
// the badge envelopes), then starts `zkinfer serve`: the verifier service and, from the same
// process on 127.0.0.1, the static pages. Prints the URLs; Ctrl-C stops it gracefully.
//
//   npm run demo                 (port 8787)
//   PORT=9000 npm run demo

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { makeBadges } from './demo-badges.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const demo = join(root, 'web/demo');
const CREDIT = join(root, 'examples/models/credit_xgboost');

/** Where the demo's generated files go (git-ignored). */
export const paths = {
  models: join(demo, 'models'),
  forms: join(demo, 'forms'),
  badges: join(demo, 'badges'),
};

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
  return result;
}

/**
 * Writes the demo data with the native CLI `zkinfer`: web/demo/models/{credit,wine}.json (the
 * verifier's registry and the pages' models), web/demo/forms/credit.json (the application
 * form) and web/demo/badges/ (envelopes made as a static site would make them).
 */
export async function prepareDemo({ zkinfer, quiet = false }) {
  mkdirSync(paths.models, { recursive: true });
  mkdirSync(paths.forms, { recursive: true });
  run(zkinfer, ['import', join(CREDIT, 'model.json'), '-o', join(paths.models, 'credit.json')], {
    stdio: quiet ? 'ignore' : 'inherit',
  });
  copyFileSync(join(CREDIT, 'features.json'), join(paths.forms, 'credit.json'));
  await makeBadges({ zkinfer, modelPath: join(paths.models, 'wine.json'), outDir: paths.badges });
}

/** The arguments of `zkinfer serve` for the demo. */
export function serveArgs(addr) {
  return ['serve', '--models', paths.models, '--static', join(root, 'web'), '--addr', addr];
}

async function main() {
  if (!existsSync(join(root, 'web/pkg/zkinfer_wasm_bg.wasm'))) {
    console.log('demo: building the WebAssembly package (npm run build)…');
    run('npm', ['run', 'build']);
  }
  console.log('demo: building the zkinfer CLI (release)…');
  run('cargo', ['build', '--locked', '--release', '-p', 'zkinfer', '--bin', 'zkinfer', '--quiet']);
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(root, 'target');
  const zkinfer = join(targetDir, 'release/zkinfer');
  console.log('demo: writing the demo models and badge envelopes…');
  await prepareDemo({ zkinfer, quiet: true });

  const addr = `127.0.0.1:${process.env.PORT ?? 8787}`;
  const server = spawn(zkinfer, [...serveArgs(addr), '--log', 'text'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server.stdout.setEncoding('utf8');
  server.stdout.on('data', (text) => {
    const match = /listening on (http:\/\/\S+)/.exec(text);
    if (!match) return;
    const url = match[1];
    console.log(`
zkinfer demo running (verifier service and pages, one process):
  ${url}/demo/              the demos
  ${url}/demo/credit.html   private credit check
  ${url}/demo/badge.html    provenance badges
  ${url}/v1/health          the verifier service
Ctrl-C stops it.`);
  });
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' ? 0 : 1)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`demo: ${error.message}`);
    process.exit(1);
  });
}
