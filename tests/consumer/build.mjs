// What a consumer of the npm package gets, built step by step: the packed tarball, a fresh
// project that installs it from that tarball (with vite and TypeScript from the registry), and
// the vite app of vite-app/ built in that project. tests/node/package.test.mjs checks each
// step; a browser test can reuse them and serve the built app's dist/ folder at its root.

import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

// Exact versions: a new release must not change what the test checks. vite 7 runs on
// Node ^20.19 and ≥ 22.12.
export const VITE = '7.3.8';
export const TYPESCRIPT = '5.9.3';

/** Runs a command: `{stdout, stderr}`, or throws with its output. */
export function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}:\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/**
 * `npm pack` of the repository into `dest`: `{tarball, size, unpackedSize, files}`, `files`
 * the packed paths.
 */
export function pack(dest) {
  if (!existsSync(join(root, 'web/pkg/zkinfer_wasm_bg.wasm'))) {
    throw new Error('web/pkg/ has no WebAssembly module: run `npm run build` first');
  }
  const { stdout } = run('npm', ['pack', '--json', '--pack-destination', dest], root);
  const [packed] = JSON.parse(stdout);
  return {
    tarball: join(dest, packed.filename),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files.map((file) => file.path),
  };
}

/**
 * Makes `project` a fresh ES module project depending on the tarball, vite and TypeScript,
 * installs them, and copies the Node and TypeScript consumers into it.
 */
export function install(project, tarball) {
  const manifest = {
    name: 'zkinfer-consumer',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { zkinfer: `file:${tarball}`, vite: VITE, typescript: TYPESCRIPT },
  };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // --prefer-offline: the npm cache answers repeated runs without asking the registry.
  const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  run('npm', ['install', ...flags], project);
  for (const file of ['prove.mjs', 'types.ts', 'tsconfig.json', 'tsconfig.bundler.json']) {
    copyFileSync(join(here, file), join(project, file));
  }
}

/**
 * Builds the vite app in `project/app` with `model` (zkinfer model JSON text) and `input` (the
 * applicant's features) bundled in: `{dist, assets, log}`, `assets` the file names in
 * dist/assets, `log` vite's warnings.
 */
export function buildApp(project, { model, input }) {
  const app = join(project, 'app');
  cpSync(join(here, 'vite-app'), app, { recursive: true });
  writeFileSync(join(app, 'model.zk.json'), model);
  writeFileSync(join(app, 'applicant.json'), JSON.stringify(input));
  const vite = join(project, 'node_modules/vite/bin/vite.js');
  // Warnings only: what a consumer would be shown.
  const { stdout, stderr } = run(process.execPath, [vite, 'build', '--logLevel', 'warn'], app);
  const dist = join(app, 'dist');
  return { dist, assets: readdirSync(join(dist, 'assets')), log: stdout + stderr };
}
