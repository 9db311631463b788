#!/usr/bin/env node
// Heap garbage per request of kontract's transports (src/k8s/transport-h1.ts, transport-h2.ts),
// measured on their compiled form in one or more dist/ directories (A/B: a branch's build against
// main's). Each measurement is a child process run with --trace-gc-nvp: N requests, `--inflight`
// at a time, to one cluster of a kubeconfig (`kontract local-clusters up --count 1 --dir DIR`).
// The child prints wall and CPU seconds, heapUsed / heapTotal / RSS at the end (no forced GC),
// peak RSS, heapUsed after a forced GC, and from V8's GC trace the number of scavenges and
// mark-compacts and the bytes allocated and promoted to old space. The parent alternates the
// builds, transports and verbs in every round and prints medians per (build, transport, verb).
//
//   node scripts/h2-heap.js --kubeconfig /tmp/h2mem-c/kubeconfig --dist dist,/work/main/dist \
//     --transport h1,h2 --verb get404,get,apply --requests 10000 --inflight 10 --runs 5
//
// Verbs: get404 (GET of a ConfigMap that does not exist), get (GET of an existing ConfigMap),
// apply (server-side apply of a ConfigMap, PATCH with content type application/apply-patch+yaml
// and ?fieldManager=kontract&force=true as src/k8s/cluster-client.ts sends it, over `--objects`
// names in namespace default; after the first run these are no-op applies), watch (a streamed
// watch of namespace default's ConfigMaps from resourceVersion 0, every object an ADDED event, read
// to its end after timeoutSeconds=1; needs at least `--objects` events). Before the measured
// requests, get, apply and watch apply the `--objects` ConfigMaps (`--no-setup`: not). Requests carry the
// same headers and a shared abort signal as cluster-client.ts's sendOnce (`--no-signal`: none).
// `--snapshot-at N` (child only, with one build/transport/verb) writes a heap snapshot after N
// requests answered.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setMaxListeners } from 'node:events';
import * as v8 from 'node:v8';

const argv = process.argv.slice(2);
const flag = (f, d) => { const i = argv.indexOf(f); return i < 0 ? d : argv[i + 1]; };
const self = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(self), '..');

/** The kubeconfig's current context as kontract's transports take it, read by kontract's own kubeconfig reader (src/k8s/kubeconfig-files.ts). */
async function credentialsOf(kubeconfigPath) {
  const { loadKubeconfigFiles, kubeconfigTarget } = await import(pathToFileURL(path.join(repo, 'dist', 'k8s', 'kubeconfig-files.js')).href);
  const kc = loadKubeconfigFiles([kubeconfigPath]);
  const { cluster, user } = kubeconfigTarget(kc, kc.currentContext);
  return {
    server: new URL(cluster.server),
    ca: cluster.caData === undefined ? readFileSync(cluster.caFile) : Buffer.from(cluster.caData, 'base64'),
    rejectUnauthorized: true,
    headers: { Authorization: `Bearer ${user.token}` },
  };
}

function requestOf(verb, i, objects, signal) {
  const base = '/api/v1/namespaces/default/configmaps';
  const common = { timeoutMs: 30_000, signal };
  if (verb === 'get404') return { ...common, method: 'GET', path: `${base}/h2heap-missing-${i}` };
  const name = `h2heap-${i % objects}`;
  if (verb === 'get') return { ...common, method: 'GET', path: `${base}/${name}` };
  const obj = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'kontract' } },
    data: { index: String(i % objects), text: 'x'.repeat(200) },
  };
  return { ...common, method: 'PATCH', path: `${base}/${name}?fieldManager=kontract&force=true`, body: JSON.stringify(obj), contentType: 'application/apply-patch+yaml' };
}

async function child() {
  const dist = path.resolve(repo, flag('--dist', 'dist'));
  const { createTransport } = await import(pathToFileURL(path.join(dist, 'k8s', 'transport.js')).href);
  const creds = await credentialsOf(flag('--kubeconfig'));
  const verb = flag('--verb', 'get404');
  const n = Number(flag('--requests', '10000'));
  const inflight = Number(flag('--inflight', '10'));
  const objects = Number(flag('--objects', '1000'));
  const snapshotAt = flag('--snapshot-at') === undefined ? -1 : Number(flag('--snapshot-at'));
  const transport = createTransport(flag('--transport', 'h1'));
  const noSignal = argv.includes('--no-signal');
  const work = new AbortController();
  setMaxListeners(0, work.signal);
  // A watch from resourceVersion 0 (every object an ADDED event), read to its end (timeoutSeconds=1).
  const watchOnce = async () => {
    const r = { method: 'GET', path: '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1', headers: { Accept: 'application/json', ...creds.headers }, timeoutMs: 30_000, ...(noSignal ? {} : { signal: work.signal }) };
    const res = await transport.stream(creds, r);
    if (res.status !== 200) throw new Error(`watch: status ${res.status}`);
    let events = 0;
    let rest = '';
    for await (const chunk of res.body) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop();
      for (const l of lines) if (l !== '') { JSON.parse(l); events++; }
    }
    return events;
  };
  const send = async (i, v = verb) => {
    if (v === 'watch') {
      if (await watchOnce() < objects) throw new Error(`watch: fewer than ${objects} events`);
      return;
    }
    const r = requestOf(v, i, objects, noSignal ? undefined : work.signal);
    const headers = { Accept: 'application/json', ...creds.headers };
    if (r.body !== undefined) headers['Content-Type'] = r.contentType;
    const res = await transport.send(creds, { method: r.method, path: r.path, headers, timeoutMs: r.timeoutMs, ...(r.signal === undefined ? {} : { signal: r.signal }), ...(r.body === undefined ? {} : { body: r.body }) });
    const want = v === 'get404' ? 404 : 200;
    if (res.status !== want && !(v === 'apply' && res.status === 201)) throw new Error(`${r.method} ${r.path}: status ${res.status} (want ${want}): ${res.text.slice(0, 200)}`);
    // As the client does with a JSON answer (cluster-client.ts sendOnce).
    if (res.text !== '') JSON.parse(res.text);
  };
  // Set-up, not measured: the objects exist (and the connection is up) before the first request counted.
  if (verb !== 'get404' && !argv.includes('--no-setup')) for (let i = 0; i < objects; i += inflight) await Promise.all(Array.from({ length: Math.min(inflight, objects - i) }, (_, k) => send(i + k, 'apply')));
  else await send(0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  console.log('H2HEAP-START');
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await send(i);
      if (++done === snapshotAt) process.stderr.write(`snapshot ${v8.writeHeapSnapshot()}\n`);
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const m = process.memoryUsage();
  console.log('H2HEAP-END');
  const peakRss = process.resourceUsage().maxRSS * 1024;
  globalThis.gc?.();
  const retained = process.memoryUsage().heapUsed;
  const protocol = transport.protocol();
  transport.close();
  console.log(`H2HEAP-RESULT ${JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1e6, heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, peakRss, retained, protocol })}`);
}

function runChild(dist, transport, verb) {
  const args = ['--trace-gc-nvp', '--expose-gc', self, '--child', '--dist', dist, '--transport', transport, '--verb', verb,
    ...(argv.includes('--no-signal') ? ['--no-signal'] : []), ...(argv.includes('--no-setup') ? ['--no-setup'] : []), '--kubeconfig', flag('--kubeconfig'), '--requests', flag('--requests', '10000'), '--inflight', flag('--inflight', '10'), '--objects', flag('--objects', '1000')];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c) => { out += c; });
    p.on('close', (code) => {
      if (code !== 0) { reject(new Error(`child ${dist} ${transport} ${verb} exited ${code}`)); return; }
      const lines = out.split('\n');
      const start = lines.indexOf('H2HEAP-START');
      const end = lines.indexOf('H2HEAP-END');
      const gc = { scavenges: 0, markCompacts: 0, promoted: 0, allocated: 0 };
      for (const l of lines.slice(start + 1, end)) {
        const kind = / gc=(\w+)/.exec(l)?.[1];
        if (kind === undefined) continue;
        if (kind === 's') gc.scavenges++;
        else gc.markCompacts++;
        gc.promoted += Number(/ promoted=(\d+)/.exec(l)?.[1] ?? 0);
        gc.allocated += Number(/ allocated=(\d+)/.exec(l)?.[1] ?? 0);
      }
      const res = lines.find((l) => l.startsWith('H2HEAP-RESULT '));
      resolve({ ...JSON.parse(res.slice('H2HEAP-RESULT '.length)), ...gc });
    });
    p.on('error', reject);
  });
}

async function parent() {
  const dists = flag('--dist', 'dist').split(',');
  const transports = flag('--transport', 'h1,h2').split(',');
  const verbs = flag('--verb', 'get404,get,apply').split(',');
  const runs = Number(flag('--runs', '5'));
  const results = new Map();
  for (let r = 0; r < runs; r++) {
    for (const verb of verbs) {
      for (const transport of transports) {
        // Alternate which build goes first from round to round.
        const order = r % 2 === 0 ? dists : [...dists].reverse();
        for (const dist of order) {
          const res = await runChild(dist, transport, verb);
          const key = `${dist} ${transport} ${verb}`;
          if (!results.has(key)) results.set(key, []);
          results.get(key).push(res);
          process.stderr.write(`round ${r + 1} ${key}: ${(res.wall).toFixed(2)} s, cpu ${res.cpu.toFixed(2)} s, heapUsed ${mb(res.heapUsed)}, promoted ${mb(res.promoted)}\n`);
        }
      }
    }
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2; };
  const cols = ['wall', 'cpu', 'heapUsed', 'heapTotal', 'rss', 'peakRss', 'retained', 'scavenges', 'markCompacts', 'allocated', 'promoted'];
  console.log(`| build transport verb | ${cols.join(' | ')} |`);
  console.log(`|---|${cols.map(() => '---').join('|')}|`);
  for (const [key, rs] of results) {
    const cells = cols.map((c) => {
      const v = median(rs.map((x) => x[c]));
      return c === 'wall' || c === 'cpu' ? `${v.toFixed(2)} s` : c === 'scavenges' || c === 'markCompacts' ? String(v) : mb(v);
    });
    console.log(`| ${key} (${rs[0].protocol}) | ${cells.join(' | ')} |`);
  }
}

function mb(b) { return `${(b / 1024 / 1024).toFixed(1)} MB`; }

if (argv.includes('--child')) await child();
else await parent();
