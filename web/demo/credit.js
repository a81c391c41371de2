// The private credit check: the form's answers never leave this page. The page asks the
// lender's verifier service for a challenge, proves "score ≥ cut-off" under it in a Web Worker,
// and sends only the envelope (model id, input commitment, output, proof) to the service.

import { createProver } from '/src/index.js';

const $ = (id) => document.getElementById(id);
/** Where the verifier service is: this origin unless `?service=<url>` says otherwise. */
const service = new URLSearchParams(location.search).get('service') ?? '';

/** Every progress report of the last proof, for the curious (and the end-to-end test). */
window.progressLog = [];

const [modelText, fields] = await Promise.all([
  fetchOk('/demo/models/credit.json').then((r) => r.text()),
  fetchOk('/demo/forms/credit.json').then((r) => r.json()),
]);
const prover = await createProver({ model: modelText });
let running = null; // the AbortController of the run in progress
let last = null; // the last envelope sent, as JSON text

renderForm(fields);
renderModelCard(JSON.parse(modelText).source, fields);
$('application').addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});
$('cancel').addEventListener('click', () => running?.abort(new Error('cancelled by the user')));
$('replay').addEventListener('click', replay);
$('tamper').addEventListener('click', tamper);
setState('ready', 'Ready. Your answers stay on this device.');
window.ready = true;

async function fetchOk(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

function renderForm(specs) {
  const box = $('fields');
  for (const spec of specs) {
    const field = document.createElement('div');
    field.className = 'field';
    const label = document.createElement('label');
    label.htmlFor = `f-${spec.name}`;
    label.textContent = spec.label;
    let control;
    if (spec.kind === 'choice') {
      control = document.createElement('select');
      for (const choice of spec.choices) {
        const option = new Option(choice.label, String(choice.value));
        option.selected = choice.value === spec.default;
        control.append(option);
      }
    } else {
      control = document.createElement('input');
      Object.assign(control, { type: 'number', min: spec.min, max: spec.max, step: spec.step ?? 'any' });
      control.value = String(spec.default);
      control.required = true;
    }
    control.id = `f-${spec.name}`;
    control.name = spec.name;
    field.append(label, control);
    box.append(field);
  }
}

function renderModelCard(source, specs) {
  $('model-source').textContent = source;
  $('model-id').textContent = prover.modelId;
  $('model-features').replaceChildren(
    ...specs.map((spec) => Object.assign(document.createElement('li'), { textContent: spec.label })),
  );
}

/** The form's answers: feature name → number, in the model's terms. */
function answers() {
  const input = {};
  for (const name of prover.features) {
    const control = document.querySelector(`[name="${CSS.escape(name)}"]`);
    input[name] = control.value.trim() === '' ? NaN : Number(control.value);
  }
  return input;
}

/** The cut-off as a raw score: the model's score is the log-odds of repayment. */
function cutoff() {
  const p = Number($('cutoff').value);
  return { p, score: Math.log(p / (1 - p)) };
}

function setState(state, message) {
  document.body.dataset.state = state;
  if (message !== undefined) $('status').textContent = message;
}

function setBusy(busy) {
  $('prove').disabled = busy;
  $('cancel').disabled = !busy;
  $('replay').disabled = busy;
  $('tamper').disabled = busy;
  for (const control of $('application').elements) {
    if (control.id !== 'prove' && control.id !== 'cancel') control.disabled = busy;
  }
}

function showProgress({ phase, fraction }) {
  window.progressLog.push({ phase, fraction });
  document.dispatchEvent(new CustomEvent('proof-progress', { detail: { phase, fraction } }));
  $('progress-box').hidden = false;
  $('progress').value = fraction;
  $('progress-label').textContent =
    phase === 'done' ? 'Proof ready' : `Proving: ${phase.replace('-', ' ')} (${Math.round(fraction * 100)} %)`;
}

async function challenge(signal) {
  const response = await fetch(`${service}/v1/challenge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model_id: prover.modelId }),
    signal,
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error.message), { code: body.error.code });
  return body.nonce;
}

/** Proves the form's answers under a fresh challenge. */
async function proveFresh(signal, onProgress) {
  const nonce = await challenge(signal);
  const { p, score } = cutoff();
  const started = performance.now();
  const proof = await prover.prove(answers(), { threshold: score, context: nonce, onProgress, signal });
  return { proof, nonce, p, ms: performance.now() - started };
}

/** Sends an envelope (JSON text) to the verifier; resolves to its answer, never rejects. */
async function send(envelope) {
  try {
    const response = await fetch(`${service}/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: envelope,
    });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { status: 0, body: { error: { code: 'NETWORK', message: error.message } } };
  }
}

function showAnswer(element, { status, body }) {
  if (status === 200 && body.verified === true) {
    element.dataset.state = 'verified';
    element.dataset.code = '';
    element.textContent = `Verified (HTTP 200): ${body.meaning}, by model “${body.model_name}”.`;
  } else {
    element.dataset.state = 'refused';
    element.dataset.code = body.error?.code ?? 'UNKNOWN';
    element.textContent = `Refused (HTTP ${status}) ${element.dataset.code}: ${body.error?.message ?? ''}`;
  }
}

async function run() {
  const controller = new AbortController();
  running = controller;
  setBusy(true);
  window.progressLog = [];
  $('progress').value = 0;
  setState('challenge', 'Asking the lender for a challenge…');
  try {
    const { proof, nonce, p, ms } = await proveFresh(controller.signal, (progress) => {
      if (document.body.dataset.state !== 'proving') setState('proving', 'Proving on this device…');
      showProgress(progress);
    });
    const envelope = JSON.parse(proof.envelope);
    const proofBytes = atob(envelope.proof).length;
    const { holds } = proof.output;
    $('output').textContent = `score ≥ cut-off (probability of repayment ≥ ${Math.round(p * 100)} %): ${holds ? 'yes' : 'no'}`;
    $('commitment').textContent = proof.inputCommitment;
    $('nonce').textContent = nonce;
    $('proof-size').textContent =
      `${(proofBytes / 1024).toFixed(1)} KB (envelope ${(proof.envelope.length / 1024).toFixed(1)} KB as JSON)`;
    $('prove-time').textContent = `${Math.round(ms)} ms in a Web Worker`;
    $('result').hidden = false;
    $('attempt').dataset.state = 'idle';
    $('answer').dataset.state = 'pending';
    $('answer').textContent = 'Sending to the verifier…';
    setState('sending', 'Sending the envelope to the lender…');
    last = proof.envelope;
    showAnswer($('answer'), await send(last));
    setState('done', holds ? 'Sent. Your score reaches the cut-off.' : 'Sent. Your score is below the cut-off.');
  } catch (error) {
    if (controller.signal.aborted) {
      $('progress-label').textContent = 'Cancelled';
      setState('cancelled', 'Cancelled. Nothing was sent.');
    } else {
      setState('error', `Could not prove: ${error.code ? `${error.code}: ` : ''}${error.message}`);
    }
  } finally {
    running = null;
    setBusy(false);
  }
}

/** Sends the last envelope again: its nonce is spent, so the service refuses it. */
async function replay() {
  if (!last) return;
  $('attempt').dataset.state = 'pending';
  $('attempt').textContent = 'Sending the same envelope again…';
  showAnswer($('attempt'), await send(last));
}

/** Proves again under a new challenge, then claims the opposite output. */
async function tamper() {
  setBusy(true);
  $('attempt').dataset.state = 'pending';
  $('attempt').textContent = 'Proving under a new challenge, then flipping the output…';
  try {
    const { proof } = await proveFresh(undefined, undefined);
    const envelope = JSON.parse(proof.envelope);
    envelope.output.at_least.holds = !envelope.output.at_least.holds;
    showAnswer($('attempt'), await send(JSON.stringify(envelope)));
  } catch (error) {
    $('attempt').dataset.state = 'refused';
    $('attempt').textContent = `Could not prove: ${error.message}`;
  } finally {
    setBusy(false);
  }
}
