#!/usr/bin/env node
// The data of the badge demo (web/demo/badge.html), made with the native CLI as a static site
// would make it: the wine random forest imported into zkinfer JSON, and for each of four wine
// listings a proof envelope of the class the model gives the listing's private lab analysis
// (a held-out row of the example: its 13 measurements), bound to the context
// "<listing id>@<date>"; plus one tampered envelope (a valid one whose disclosed class was
// edited) and index.json, which lists them. The openings are secret: they are written to a
// temporary directory and deleted.
//
//   node scripts/demo-badges.mjs <zkinfer-bin> <model.json> <outDir>
//
// (the demo page expects web/demo/models/wine.json and web/demo/badges/).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(root, 'examples/models/wine_random_forest');
const TRAIN = join(root, 'examples/data/wine-train.csv');

/** The listings: which held-out row stands for each one's private lab analysis. */
export const ITEMS = [
  { id: 'lot-113', title: 'Lot 113 · red, 2019, 750 ml', row: 0 },
  { id: 'lot-127', title: 'Lot 127 · red, 2020, 750 ml', row: 1 },
  { id: 'lot-131', title: 'Lot 131 · red, 2018, 1.5 l', row: 2 },
  { id: 'lot-142', title: 'Lot 142 · red, 2021, 750 ml', row: 3 },
];

/** The listing whose envelope is copied, with its class edited, into the tampered one. */
export const TAMPERED_FROM = 'lot-113';

function run(bin, args) {
  const result = spawnSync(bin, args, { cwd: root, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`zkinfer ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  }
  return result.stdout;
}

/** Held-out rows of the example: feature name → number (the `expected_*` columns left out). */
export function heldoutRows() {
  const [header, ...lines] = readFileSync(join(EXAMPLE, 'heldout.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',').map(Number);
    const features = {};
    const expected = {};
    columns.forEach((column, i) => {
      if (column.startsWith('expected_')) expected[column.slice('expected_'.length)] = cells[i];
      else features[column] = cells[i];
    });
    return { features, expected };
  });
}

/**
 * Imports the wine random forest into `modelPath` and writes the envelopes and index.json into
 * `outDir` (created if needed). `date` (ISO, default today) goes into every context. Returns the
 * index: `{model, date, items: [{id, title, envelope, context, tampered}]}`, `envelope` a file
 * name in `outDir`.
 */
export async function makeBadges({ zkinfer, modelPath, outDir, date }) {
  date ??= new Date().toISOString().slice(0, 10);
  mkdirSync(dirname(resolve(modelPath)), { recursive: true });
  mkdirSync(outDir, { recursive: true });
  run(zkinfer, ['import', join(EXAMPLE, 'model.onnx'), '--calibrate', TRAIN, '-o', modelPath]);

  const rows = heldoutRows();
  const secret = mkdtempSync(join(tmpdir(), 'zkinfer-badges-'));
  const items = [];
  try {
    for (const { id, title, row } of ITEMS) {
      const input = join(secret, `${id}.input.json`);
      writeFileSync(input, JSON.stringify(rows[row].features));
      const envelope = `${id}.json`;
      const context = `${id}@${date}`;
      run(zkinfer, [
        'prove', modelPath, input,
        '--context', context,
        '-o', join(outDir, envelope),
        '--opening', join(secret, `${id}.opening.json`),
      ]);
      items.push({ id, title, envelope, context, tampered: false });
    }
  } finally {
    // The inputs and openings are as private as the lab analyses.
    rmSync(secret, { recursive: true, force: true });
  }

  // Someone "upgrades" a listing by editing the class its envelope discloses.
  const original = items.find((item) => item.id === TAMPERED_FROM);
  const envelope = JSON.parse(readFileSync(join(outDir, original.envelope), 'utf8'));
  const { classes } = JSON.parse(readFileSync(modelPath, 'utf8')).output;
  envelope.output.class = (envelope.output.class + 1) % classes.length;
  const tampered = `${original.id}-tampered.json`;
  writeFileSync(join(outDir, tampered), JSON.stringify(envelope));
  items.push({
    id: `${original.id}-relisted`,
    title: `${original.title} (relisted with an edited class)`,
    envelope: tampered,
    context: original.context,
    tampered: true,
  });

  const index = { model: 'wine_random_forest', date, items };
  writeFileSync(join(outDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [zkinfer, modelPath, outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node scripts/demo-badges.mjs <zkinfer-bin> <model.json> <outDir>');
    process.exit(2);
  }
  const index = await makeBadges({ zkinfer, modelPath, outDir });
  for (const item of index.items) {
    const what = item.tampered ? 'tampered' : 'envelope';
    console.log(`${what} ${join(outDir, item.envelope)}  ${item.context}`);
  }
  console.log(`index    ${join(outDir, 'index.json')}`);
}
