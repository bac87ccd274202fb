// Issue 11: the library as a user gets it (`npm pack`, installed into an empty folder) in every
// runtime the README names — Node (native, wasm), workerd (bundled by wrangler as `wrangler deploy`
// does, run by Miniflare with cf: false: `wrangler dev` would try to fetch Request.cf from the net),
// Deno, Bun, Debian's Chromium (plain page with an import map; Vite, webpack 5 and esbuild
// bundles). Each runs the README snippet of its section (apps/*) and then the same script
// (compute.mjs), whose results must equal Node's native ones (floats within 1e-6, indices exactly).
// Servers listen on 127.0.0.1 only and are closed here. Needs `bash scripts/install-runtimes.sh`.
// Run: node --test test/runtimes/runtimes.test.mjs (after `npm run build`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as L from './lib.mjs';

let dir;
let ref;
let server;
let browser;

before(() => {
  for (const tool of ['wrangler', 'deno', 'bun', 'vite', 'webpack', 'esbuild']) {
    assert.ok(existsSync(L.bin(tool)), `${tool} is not installed: run bash scripts/install-runtimes.sh`);
  }
  assert.ok(existsSync(L.CHROMIUM), 'chromium is not installed: run bash scripts/install-runtimes.sh');
  assert.ok(existsSync(join(L.ROOT, 'dist', 'soft_sampling.wasm')), 'the library is not built: npm run build');
  ({ dir } = L.packAndInstall());
  ref = L.runNodeApp(dir, 'node-native');
});

after(async () => {
  await browser?.close();
  await server?.close();
  L.cleanup(dir);
});

const agrees = (got, backend = 'wasm') => {
  assert.equal(got.backend, backend);
  assert.deepEqual(L.compareResults(got, ref), []);
};

test('Node, native addon: the reference is computed on the native backend', () => {
  assert.equal(ref.backend, 'native');
  assert.deepEqual(ref.ints.iouShape, [24, 11]);
  assert.equal(ref.ints.ghmSteps[0], 2);
  assert.ok(ref.ints.posInds.length > 0 && ref.ints.negInds.length > 0);
});

test('Node, wasm: same results as native', () => {
  agrees(L.runNodeApp(dir, 'node-wasm'));
});

test('the edge entries in the tarball import no node: module and read no environment', () => {
  for (const f of ['edge.mjs', 'edge-wasm.mjs']) {
    const edge = readFileSync(join(dir, 'node_modules', 'soft-sampling', 'dist', f), 'utf8');
    assert.doesNotMatch(edge, /\bfrom\s*["']node:|import\(\s*["']node:|require\(/, f);
    assert.doesNotMatch(edge, /process\.env|Deno\.env|\.env\b/, f);
    assert.match(edge, /new URL\(["']\.\/soft_sampling\.wasm["'], import\.meta\.url\)/, f);
  }
});

test('Deno (the `deno` export, no permission flags): same results, backend wasm', () => {
  agrees(L.runDenoApp(dir, 'deno'));
});

test('Bun (the `bun` export): same results, backend wasm', () => {
  agrees(L.runBunApp(dir, 'bun'));
});

test('Deno and Bun, soft-sampling/edge alone: initWasm() fetches the wasm beside the entry (Deno: --allow-read)', () => {
  agrees(L.runDenoApp(dir, 'edge-init', ['--allow-read=node_modules'], ['edge']));
  agrees(L.runBunApp(dir, 'edge-init', ['edge']));
});

test('Cloudflare Workers: wrangler bundles it unconfigured, workerd runs it on wasm', async () => {
  const { outdir, main, files } = L.buildWorker(dir, 'src/test-entry.mjs', { outdir: 'out-test' });
  assert.ok(files.some((f) => f.endsWith('.wasm')), `the bundle carries the wasm module: ${files}`);
  const { mf, url } = await L.startWorker(outdir, main);
  try {
    assert.equal(url.hostname, '127.0.0.1');
    agrees(await (await fetch(new URL('/compute', url))).json());
    // the README worker itself
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ logits: [[2, -1.5, 0.3]], targets: [[1, 0, 0]] }) });
    const body = await res.json();
    assert.equal(body.backend, 'wasm');
    assert.ok(Math.abs(body.loss - 0.07230694) < 1e-6, `loss ${body.loss}`);
    assert.equal(body.grad.length, 3);
  } finally {
    await mf.dispose();
  }
});

test('Cloudflare Workers: wrangler tree-shakes the library, the README worker carries only the ops it imports', () => {
  // the facade's module-level `…Async` wrappers are /* @__PURE__ */, so esbuild (wrangler) drops
  // every op the worker does not import (the wasm backend stays whole: an object of all kernels)
  const { outdir, main } = L.buildWorker(dir, undefined, { outdir: 'out-readme' });
  const js = readFileSync(join(outdir, main), 'utf8');
  assert.ok(js.includes('function sigmoidFocalLoss('), 'the imported op is in the bundle');
  // the workerd export runs on wasm (instantiated at import): no pure-TS backend in the bundle
  assert.ok(!js.includes('function createTsBackend('), 'the pure-TS backend is not in the Worker bundle');
  for (const op of ['evaluateCoco', 'evaluateCocoAsync', 'bboxOverlaps', 'ghmcLoss', 'isrP', 'carlLoss', 'randomSample']) {
    assert.ok(!js.includes(`function ${op}(`) && !js.includes(`var ${op} =`), `${op} (not imported) is not in the bundle`);
  }
});

// soft-sampling/lite (the smallest edge bundle): the lean wasm, the lite ops only, same results
test('soft-sampling/lite in Node, Deno and Bun (wasm at import, no permission flags): same results', () => {
  agrees(L.runNodeApp(dir, 'lite', {}, ['lite']));
  agrees(L.runDenoApp(dir, 'lite', [], ['lite']));
  agrees(L.runBunApp(dir, 'lite', ['lite']));
});

test('soft-sampling/lite in the tarball: no node: module or environment in the browser entry, the lean wasm beside it', () => {
  const pkg = join(dir, 'node_modules', 'soft-sampling', 'dist');
  const lite = readFileSync(join(pkg, 'lite.mjs'), 'utf8');
  assert.doesNotMatch(lite, /\bfrom\s*["']node:|import\(\s*["']node:|require\(/);
  assert.doesNotMatch(lite, /process\.env|Deno\.env|\.env\b/);
  assert.match(lite, /new URL\(["']\.\/soft_sampling_lite\.wasm["'], import\.meta\.url\)/);
  assert.ok(!lite.includes('function evaluateCoco(') && !lite.includes('function createTsBackend('), 'no evaluator, no pure-TS backend in lite.mjs');
  assert.ok(existsSync(join(pkg, 'soft_sampling_lite.wasm')));
});

test('Cloudflare Workers, soft-sampling/lite: wrangler bundles it unconfigured, workerd runs it on the lean wasm', async () => {
  const { outdir, main, files } = L.buildWorker(dir, 'src/lite-test-entry.mjs', { outdir: 'out-lite-test' });
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one wasm module in the bundle: ${files}`);
  const lean = readFileSync(join(dir, 'node_modules', 'soft-sampling', 'dist', 'soft_sampling_lite.wasm'));
  assert.ok(readFileSync(join(outdir, wasm[0])).equals(lean), 'the bundle carries soft_sampling_lite.wasm');
  const { mf, url } = await L.startWorker(outdir, main);
  try {
    agrees(await (await fetch(new URL('/compute', url))).json());
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ logits: [[2, -1.5, 0.3]], targets: [[1, 0, 0]] }) });
    const body = await res.json();
    assert.equal(body.backend, 'wasm');
    assert.ok(Math.abs(body.loss - 0.07230694) < 1e-6, `loss ${body.loss}`);
  } finally {
    await mf.dispose();
  }
});

test('Cloudflare Workers, soft-sampling/lite: the README lite worker is at most 120 KiB gzipped (wrangler\'s upload size)', () => {
  const { log } = L.buildWorker(dir, 'src/lite.mjs', { outdir: 'out-lite' });
  const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
  assert.ok(m, `wrangler printed no upload size:\n${log}`);
  assert.ok(Number(m[2]) <= 120, `lite Worker bundle ${m[2]} KiB gzipped > 120 KiB`);
});

const pages = {
  plain: { path: '/apps/plain/index.html' },
  vite: { path: '/apps/vite/dist/index.html', build: L.bundlers.vite },
  webpack: { path: '/apps/webpack/index.html', build: L.bundlers.webpack },
  esbuild: { path: '/apps/esbuild/index.html', build: L.bundlers.esbuild },
  'esbuild (soft-sampling/lite)': { path: '/apps/esbuild-lite/index.html', build: L.bundlers['esbuild-lite'] },
};

test('Chromium, Vite dev server (unbundled, dependency pre-bundling): same results, no console errors', async () => {
  const vite = await L.startViteDev(dir);
  try {
    browser ??= await L.launchChromium();
    const { result, errors } = await L.runPage(browser.context, `${vite.url}/index.html`);
    assert.deepEqual(errors, []);
    agrees(result);
  } finally {
    await vite.stop();
  }
});

for (const [name, { path, build }] of Object.entries(pages)) {
  test(`Chromium, ${name === 'plain' ? 'plain <script type="module"> page' : name + ' bundle'}: same results, backend wasm, no console errors`, async () => {
    if (build) build(dir);
    server ??= await L.serveStatic(dir);
    browser ??= await L.launchChromium();
    const { result, text, errors } = await L.runPage(browser.context, server.url + path);
    assert.deepEqual(errors, []);
    assert.match(text, /wasm 0\.07230\d*/);
    agrees(result);
  });
}
