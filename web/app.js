// The web UI of `vgsim serve`: edit and run scenarios, look at the report's charts interactively
// (vega-embed: tooltips, zoom/pan, click a legend entry to toggle series), compare runs side by side,
// estimate and plan with forms, download the files `vgsim run --out` writes. Talks only to the local API.
import { parse as parseYaml } from '/vendor/yaml/index.js';
import { checkSchema, fieldsAt, pathAtCursor, shortDescription } from '/schema-check.js';

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};
const fmtS = (s) => (s == null ? '–' : s < 90 ? `${s.toFixed(1)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);
const pct = (x) => (x == null ? '–' : `${(x * 100).toFixed(1)}%`);

async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw Object.assign(new Error(data.error ?? `HTTP ${r.status}`), { issues: data.issues ?? [] });
  return data;
}

// ---- tabs
for (const b of document.querySelectorAll('nav button')) {
  b.addEventListener('click', () => {
    document.querySelectorAll('nav button, .tab').forEach((x) => x.classList.remove('active'));
    b.classList.add('active');
    $(`#tab-${b.dataset.tab}`).classList.add('active');
  });
}

// ---- scenario editor: JSON Schema checks as you type, fields allowed at the cursor, server validation on run
let schema = null;
const editor = $('#editor');

function showProblems(list) {
  const ul = $('#problems');
  ul.replaceChildren(...(list.length ? list.map((p) => el('li', { class: 'problem' }, `${p.line ? `line ${p.line}:${p.col} ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}${p.hint ? ` (${p.hint})` : ''}`)) : [el('li', { class: 'muted' }, 'none')]));
}

function checkEditor() {
  if (!schema) return;
  let value;
  try {
    value = parseYaml(editor.value, { prettyErrors: false });
  } catch (e) {
    showProblems([{ path: '', message: `YAML: ${e.message.split('\n')[0]}` }]);
    return;
  }
  // `extends` pulls in another file: its fields are checked by the server on run
  showProblems(value && typeof value === 'object' && !value.extends ? checkSchema(schema, value) : []);
}

function showFields() {
  if (!schema) return;
  const path = pathAtCursor(editor.value.slice(0, editor.selectionStart));
  $('#cursor-path').textContent = path.length ? `(${path.join('.')})` : '(top level)';
  $('#fields').replaceChildren(...fieldsAt(schema, path).map((f) => el('li', { title: f.description, onclick: () => insertField(f.name) }, el('code', {}, f.name), ' ', el('span', { class: 'muted' }, shortDescription(f.description)))));
}

function insertField(name) {
  const pos = editor.selectionStart;
  const before = editor.value.slice(0, pos);
  const lineStart = before.lastIndexOf('\n') + 1;
  const indent = before.slice(lineStart).match(/^\s*/)[0];
  const insert = before.slice(lineStart).trim() ? `\n${indent}${name}: ` : `${name}: `;
  editor.setRangeText(insert, pos, pos, 'end');
  editor.focus();
  checkEditor();
}

let timer;
editor.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => { checkEditor(); showFields(); }, 150);
});
editor.addEventListener('click', showFields);
editor.addEventListener('keyup', (e) => { if (e.key.startsWith('Arrow')) showFields(); });

async function loadScenario() {
  const id = $('#scenario-pick').value;
  editor.value = await api(`/api/scenario?file=${encodeURIComponent(id)}`);
  $('#run-label').value = id.replace(/^user:/, '').replace(/\.ya?ml$/, '');
  checkEditor();
  showFields();
}

// ---- runs
const runs = [];

async function embed(target, spec) {
  // vega-embed: tooltips via vega-tooltip; zoom and legend toggling come with the spec (src/report/interactive.ts)
  await vegaEmbed(target, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: 'svg' });
}

async function run() {
  const status = $('#run-status');
  status.textContent = 'running…';
  $('#run').disabled = true;
  try {
    const res = await api('/api/run', { scenario: editor.value, out: $('#with-files').checked });
    const label = $('#run-label').value || res.name;
    const entry = { id: runs.length + 1, label: `${runs.length + 1}: ${label}`, ...res };
    runs.push(entry);
    status.textContent = `done: ${res.summary.requests.completed} videos, p95 ${fmtS(res.summary.latency_s.p95)}`;
    showProblems([]);
    await showRun($('#result'), entry);
    renderRunsTable();
  } catch (e) {
    status.textContent = `error: ${e.message}`;
    showProblems(e.issues ?? []);
  } finally {
    $('#run').disabled = false;
  }
}

function summaryTable(s) {
  const rows = [
    ['requests', `${s.requests.arrived} arrived, ${s.requests.completed} completed, ${s.requests.dropped} dropped`],
    ['throughput', `${s.throughput_per_h.toFixed(1)} videos/h`],
    ['latency p50 / p95 / p99', `${fmtS(s.latency_s.p50)} / ${fmtS(s.latency_s.p95)} / ${fmtS(s.latency_s.p99)}`],
    ['SLO attainment', pct(s.slo_attainment)],
    ['GPU utilization', pct(s.gpu_utilization)],
    ['energy per video', s.energy ? `${s.energy.per_video_wh.toFixed(0)} Wh` : '–'],
    ['cost per video', s.cost?.usd_per_video != null ? `$${s.cost.usd_per_video.toFixed(3)}` : '–'],
  ];
  return el('table', { 'data-testid': 'summary' }, ...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
}

async function showRun(target, entry) {
  const charts = el('div', { class: 'charts' });
  const files = entry.files ? el('p', { 'data-testid': 'downloads' }, 'files: ', ...entry.files.flatMap((f, i) => [i ? ', ' : '', el('a', { href: f.url, download: f.name.split('/').pop() }, f.name)])) : '';
  target.replaceChildren(el('h2', {}, entry.label), summaryTable(entry.summary), files, charts);
  for (const c of entry.charts ?? []) {
    const box = el('div', { class: 'chart', 'data-chart': c.id });
    charts.append(box);
    await embed(box, c.spec);
  }
}

function renderRunsTable() {
  const tbody = $('#runs-table tbody');
  tbody.replaceChildren(...runs.map((r) => el('tr', {},
    el('td', {}, el('input', { type: 'checkbox', value: String(r.id), 'data-testid': `pick-${r.id}` })),
    el('td', {}, r.label), el('td', {}, r.name),
    el('td', { class: 'num' }, r.summary.throughput_per_h.toFixed(1)),
    el('td', { class: 'num' }, fmtS(r.summary.latency_s.p95)),
    el('td', { class: 'num' }, pct(r.summary.slo_attainment)),
    el('td', {}, r.files ? String(r.files.length) : '–'))));
}

// kind (as src/report/compare.ts ranks): 'latency' rows leave out a run that lost or left requests unfinished (its
// latencies cover only those it served); 'money' rows rank only runs priced on one cost basis (owned or cloud)
const METRICS = [
  ['videos/h', (s) => s.throughput_per_h, 'high', (x) => x.toFixed(1)],
  ['latency p50', (s) => s.latency_s.p50, 'low', fmtS, 'latency'],
  ['latency p95', (s) => s.latency_s.p95, 'low', fmtS, 'latency'],
  ['latency p99', (s) => s.latency_s.p99, 'low', fmtS, 'latency'],
  ['queue wait p95', (s) => s.queue_wait_s?.p95, 'low', fmtS, 'latency'],
  ['SLO attainment', (s) => s.slo_attainment, 'high', pct],
  ['GPU utilization', (s) => s.gpu_utilization, null, pct],
  ['Wh per video', (s) => s.energy?.per_video_wh, 'low', (x) => x.toFixed(0)],
  ['$ per video', (s) => s.cost?.usd_per_video, 'low', (x) => `$${x.toFixed(3)}`, 'money'],
];

async function compare() {
  const picked = [...document.querySelectorAll('#runs-table input:checked')].map((i) => runs[Number(i.value) - 1]);
  const out = $('#comparison');
  if (picked.length < 2) {
    out.replaceChildren(el('p', { class: 'problem' }, 'tick two or more runs'));
    return;
  }
  const head = el('tr', {}, el('th', {}, 'metric'), ...picked.map((r) => el('th', {}, r.label)));
  // like with like (src/report/compare-traffic.ts): runs asked to serve different traffic are shown, not ranked
  const parts = Object.keys(picked[0].traffic ?? {});
  const differ = parts.filter((k) => picked.some((r) => r.traffic?.[k] !== picked[0].traffic?.[k]));
  const ranked = differ.length === 0;
  const bases = new Set(picked.map((r) => r.summary.cost?.basis ?? 'none'));
  const whole = picked.map((r) => r.summary.requests.completed === r.summary.requests.arrived);
  const body = METRICS.map(([name, get, better0, fmt, kind]) => {
    const better = ranked && !(kind === 'money' && bases.size > 1) ? better0 : null;
    const vals = picked.map((r) => get(r.summary));
    const finite = vals.filter((v, i) => v != null && Number.isFinite(v) && (kind !== 'latency' || whole[i]));
    const best = better === 'high' ? Math.max(...finite) : better === 'low' ? Math.min(...finite) : null;
    const isBest = (v, i) => better && v === best && finite.length > 1 && (kind !== 'latency' || whole[i]);
    return el('tr', {}, el('th', {}, name), ...vals.map((v, i) => el('td', { class: `num${isBest(v, i) ? ' best' : ''}` }, v == null ? '–' : fmt(v) + (isBest(v, i) ? ' *' : ''))));
  });
  // the same chart of each run side by side, one row per chart kind
  const grid = el('div', {});
  const legend = ranked ? el('p', { class: 'muted' }, '* best of the row')
    : el('p', { class: 'problem', 'data-testid': 'compare-unranked' }, `not ranked: the runs serve different traffic (${differ.join(', ')} differ) — a comparison ranks clusters and stacks on the same work`);
  const basisNote = bases.size > 1 ? [el('p', { class: 'muted', 'data-testid': 'compare-bases' }, `$ per video not ranked: the runs are priced on different bases (${[...bases].join(', ')})`)] : [];
  out.replaceChildren(el('table', { 'data-testid': 'compare-table' }, head, ...body), legend, ...basisNote, grid);
  const ids = [...new Set(picked.flatMap((r) => (r.charts ?? []).map((c) => c.id)))].filter((id) => ['latency-cdf', 'load-over-time', 'power-over-time', 'stage-breakdown'].includes(id));
  for (const id of ids) {
    const row = el('div', { class: 'side-by-side', 'data-compare-chart': id });
    grid.append(el('h3', {}, id), row);
    for (const r of picked) {
      const c = (r.charts ?? []).find((x) => x.id === id);
      const box = el('div', { class: 'chart' }, el('div', { class: 'muted' }, r.label));
      const inner = el('div', {});
      box.append(inner);
      row.append(box);
      if (c) await embed(inner, c.spec);
    }
  }
}

// ---- estimate and plan forms
function formBody(form) {
  const f = new FormData(form);
  const num = (k) => (f.get(k) ? Number(f.get(k)) : undefined);
  return { f, num };
}

async function estimateForm(e) {
  e.preventDefault();
  const { f, num } = formBody(e.target);
  const out = $('#estimate-out');
  try {
    const gpus = num('gpus');
    const r = await api('/api/estimate', {
      model: f.get('model'), gpu: f.get('gpu'), gpus, parallel: f.get('parallel') || 'none', resolution: f.get('resolution'),
      frames: num('frames'), steps: num('steps'), inference: { offload: f.get('offload') === 'on', dtype: f.get('dtype') },
    });
    out.replaceChildren(el('table', {},
      // a request that does not fit cannot run as asked: the verdict first, no throughput, the time marked as hypothetical
      ...[...(r.fits ? [] : [['INFEASIBLE', 'does not fit in GPU memory as asked (see memory); the time is the GPU work alone']]),
        [r.fits ? 'total' : 'total (if it fit)', fmtS(r.total_s)], ['one DiT forward', fmtS(r.forward_s)],
        ['throughput', r.fits ? `${r.throughput_per_h.toFixed(2)} videos/h per replica` : 'none (does not fit)'], ['memory', r.memory.verdict], ['evidence', evidenceText(r.evidence)],
        ...(r.nearest_held_out ? [['this kind of run', nearestText(r.nearest_held_out)]] : [])].map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v)))),
      el('table', {}, el('tr', {}, el('th', {}, 'stage'), el('th', {}, 'total'), el('th', {}, 'bound')), ...r.stages.map((s) => el('tr', {}, el('td', {}, s.name), el('td', { class: 'num' }, fmtS(s.seconds_total)), el('td', {}, s.bound)))));
  } catch (err) {
    out.replaceChildren(el('ul', {}, ...(err.issues?.length ? err.issues : [{ path: '', message: err.message }]).map((p) => el('li', { class: 'problem' }, `${p.path ? `${p.path}: ` : ''}${p.message}${p.hint ? ` (${p.hint})` : ''}`))));
  }
}

// what the numbers on this GPU rest on (GET /api/evidence has every held-out row)
function evidenceText(ev) {
  if (!ev) return 'none: the GPU\'s held-out record covers vgsim\'s own profiles only';
  const profile = ev.profile === 'measured' ? 'measured kernel profile' : 'NO measured profile (scaled from the H100\'s)';
  if (!ev.time.n) return `${profile}; no held-out measurement: unvalidated`;
  return `${profile}; held-out median |error| ${(100 * ev.time.median_abs).toFixed(1)}% over ${ev.time.n} time cases (median ${(100 * ev.time.median).toFixed(1)}%)`;
}

// the end-to-end timings of this kind of run (model, else family; engine; GPU; GPU count), in the CLI's own words
function nearestText(n) {
  return n.caveat ? `${n.line} — ${n.caveat}` : n.line;
}

async function planForm(e) {
  e.preventDefault();
  const { f, num } = formBody(e.target);
  const out = $('#plan-out');
  try {
    const r = await api('/api/plan', { model: f.get('model'), gpu: f.get('gpu'), gpus: num('gpus'), resolution: f.get('resolution'), rank: f.get('rank'), official: f.get('official') === 'on', deploy: true });
    const rows = r.layouts.filter((l) => l.feasible).slice(0, 12);
    const launch = (l) => (l.supported ? el('pre', {}, l.command) : el('p', { class: 'muted' }, `not supported: ${l.reason}`));
    out.replaceChildren(
      el('p', {}, `${r.fits} feasible of ${r.layouts.length} layouts on ${r.node}, ranked by ${r.rank} (what-ifs the engine's code does not run are listed unranked)`),
      ...(r.what_if_ahead ? [el('p', { class: 'muted' }, `what-if (not runnable, not picked): ${r.what_if_ahead}`)] : []),
      el('p', { class: 'muted', 'data-testid': 'plan-evidence' }, `evidence on ${r.gpu}: ${evidenceText(r.evidence)}`),
      ...(r.pick_nearest_held_out ? [el('p', { class: r.pick_nearest_held_out.caveat ? 'problem' : 'muted', 'data-testid': 'plan-nearest' }, `the pick (rank 1): ${nearestText(r.pick_nearest_held_out)}`)] : []),
      el('table', { 'data-testid': 'plan-table' }, el('tr', {}, ...['#', 'layout', 'GPUs', 'replicas', 'latency', 'videos/h/GPU', 'peak GB', 'note'].map((h) => el('th', {}, h))),
        ...rows.map((l) => el('tr', {}, el('td', { class: 'num' }, String(l.rank ?? '–')), el('td', {}, l.parallel), el('td', { class: 'num' }, String(l.gpus_per_replica)), el('td', { class: 'num' }, String(l.replicas)), el('td', { class: 'num' }, fmtS(l.latency_s)), el('td', { class: 'num' }, l.throughput_per_gpu_h?.toFixed(2) ?? '–'), el('td', { class: 'num' }, l.peak_memory_gb?.toFixed(1) ?? '–'), el('td', { class: 'muted' }, l.what_if ? `what-if: ${l.what_if}` : '')))),
      el('h3', {}, `Deploy the top layout (${r.deploy.layout.parallel}): starting points`),
      el('h4', {}, r.deploy.official.runtime), launch(r.deploy.official),
      el('h4', {}, r.deploy.xdit.runtime), launch(r.deploy.xdit),
      el('h4', {}, 'Kubernetes'), r.deploy.kubernetes.supported ? el('pre', { 'data-testid': 'k8s' }, r.deploy.kubernetes.manifest) : el('p', { class: 'muted' }, r.deploy.kubernetes.reason),
    );
  } catch (err) {
    out.replaceChildren(el('ul', {}, ...(err.issues?.length ? err.issues : [{ path: '', message: err.message }]).map((p) => el('li', { class: 'problem' }, `${p.path ? `${p.path}: ` : ''}${p.message}`))));
  }
}

// ---- start
async function start() {
  const [scenarios, models, gpus, openapi] = await Promise.all([api('/api/scenarios'), api('/api/models'), api('/api/gpus'), api('/api/openapi.json')]);
  schema = await api('/api/scenario.schema.json');
  $('#version').textContent = `v${openapi.info.version}`;
  $('#scenario-pick').replaceChildren(...scenarios.map((s) => el('option', { value: s.id }, `${s.id}${s.name ? ` — ${s.name}` : ''}`)));
  for (const sel of document.querySelectorAll('select[data-list]')) {
    const list = sel.dataset.list === 'models' ? models : gpus;
    sel.replaceChildren(...list.map((x) => el('option', { value: x.id }, x.id)));
    sel.value = sel.dataset.list === 'models' ? 'wan2.2-t2v-a14b' : 'h100-sxm';
  }
  $('#scenario-pick').value = 'default.yaml';
  $('#load').addEventListener('click', loadScenario);
  $('#run').addEventListener('click', run);
  $('#compare').addEventListener('click', compare);
  $('#estimate-form').addEventListener('submit', estimateForm);
  $('#plan-form').addEventListener('submit', planForm);
  await loadScenario();
  document.body.dataset.ready = 'true';
}
start();
