// The prover's worker: a Web Worker in browsers, a worker_threads worker in Node. It holds one
// model and answers one request at a time from web/src/index.js:
//   {id, op: 'load', model, module}                 → {id, result: model description}
//   {id, op: 'prove', input, options}               → {id, progress: {phase, fraction}}…,
//                                                     then {id, result: proof}
//   {id, op: 'open', input, opening, commitment}    → {id, result: boolean}
// and {id, error: {code, message}} when a request fails. After an error with `fatal` set, the
// module trapped and the page replaces the worker.

import * as engine from './engine.js';

const port = engine.nodeBuiltin('node:worker_threads')?.parentPort ?? globalThis;

let model;

async function handle(request, progress) {
  // The page's compiled module comes with the first request.
  await engine.load(request.module);
  switch (request.op) {
    case 'load':
      if (model !== undefined) engine.free(model);
      // Not the freed model, should the new one fail to load.
      model = undefined;
      model = engine.loadModel(request.model);
      return engine.describe(model);
    case 'prove':
      return engine.prove(model, request.input, request.options, progress);
    case 'open':
      return engine.open(model, request.input, request.opening, request.commitment);
    default:
      throw new Error(`unknown request ${JSON.stringify(request.op)}`);
  }
}

port.addEventListener('message', async ({ data: request }) => {
  const { id } = request;
  const progress = (phase, fraction) => port.postMessage({ id, progress: { phase, fraction } });
  try {
    port.postMessage({ id, result: await handle(request, progress) });
  } catch (e) {
    const code = typeof e?.code === 'string' ? e.code : 'INTERNAL';
    const fatal = engine.hasTrapped();
    port.postMessage({ id, error: { code, message: String(e?.message ?? e), fatal } });
  }
});
// Node's ports deliver messages only once started (a browser worker's global always does).
port.start?.();
