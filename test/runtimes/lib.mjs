// Helpers shared by the runtime tests (runtimes.test.mjs) and the cold-start benchmark
// (bench/runtimes.mjs): pack the library as a user gets it, install the tarball in an empty folder,
// run the apps in each runtime, serve pages on 127.0.0.1 and drive Debian's Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, createReadStream, statSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
const BIN = join(HERE, 'node_modules', '.bin');
export const bin = (name) => join(BIN, name);
export const CHROMIUM = '/usr/bin/chromium';
/** Env for the tools: no telemetry, no update prompts. */
export const TOOL_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', DO_NOT_TRACK: '1' };

/** `npm pack` the built library, `npm install` the tarball into an empty folder, copy the apps beside it. */
export function packAndInstall() {
  const dir = mkdtempSync(join(tmpdir(), 'ss-runtimes-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tgz = JSON.parse(out)[0].filename;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'runtime-apps', private: true, type: 'module' }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(dir, tgz)], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  cpSync(join(HERE, 'apps'), join(dir, 'apps'), { recursive: true });
  cpSync(join(HERE, 'compute.mjs'), join(dir, 'compute.mjs'));
  return { dir, tgz: join(dir, tgz) };
}

export function cleanup(dir) {
  if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

/** Runs a command, returns stdout; throws with stderr on a non-zero exit. */
export function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', env: TOOL_ENV, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000, ...opts });
}

/** Parses the `RESULT <json>` line an app prints. */
export function resultOf(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in output:\n${stdout}`);
  return JSON.parse(line.slice(7));
}

export const runNodeApp = (dir, app, env = {}, extra = []) => resultOf(run(process.execPath, ['apps/harness.mjs', app, ...extra], { cwd: dir, env: { ...TOOL_ENV, ...env } }));
export const runDenoApp = (dir, app, flags = [], extra = []) => resultOf(run(bin('deno'), ['run', ...flags, 'apps/harness.mjs', app, ...extra], { cwd: dir }));
export const runBunApp = (dir, app, extra = []) => resultOf(run(bin('bun'), ['apps/harness.mjs', app, ...extra], { cwd: dir }));

/** Bundles a worker with wrangler (as `wrangler deploy` would, without uploading); returns the out dir and its files. */
export function buildWorker(dir, entry, { minify = false, outdir = 'out' } = {}) {
  const cwd = join(dir, 'apps', 'workerd');
  const args = ['deploy', '--dry-run', '--outdir', outdir];
  if (minify) args.push('--minify');
  if (entry) args.push(entry);
  const log = run(bin('wrangler'), args, { cwd });
  const files = readdirSync(join(cwd, outdir)).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  const main = files.find((f) => f.endsWith('.js'));
  return { outdir: join(cwd, outdir), main, files, log };
}

/** Starts workerd (through Miniflare) on 127.0.0.1 with a wrangler-built bundle. */
export async function startWorker(outdir, main = 'index.js', { compatibilityDate = '2026-04-01' } = {}) {
  const { Miniflare } = await import(join(HERE, 'node_modules', 'miniflare', 'dist', 'src', 'index.js'));
  const files = readdirSync(outdir);
  const modules = [{ type: 'ESModule', path: join(outdir, main) }];
  for (const f of files) if (f.endsWith('.wasm')) modules.push({ type: 'CompiledWasm', path: join(outdir, f) });
  const mf = new Miniflare({ host: '127.0.0.1', port: 0, cf: false, compatibilityDate, modulesRoot: outdir, modules });
  const url = await mf.ready;
  return { mf, url };
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css' };

/** A static file server on 127.0.0.1 (random port) over `root`. */
export async function serveStatic(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      statSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium through playwright-core, with a new empty profile (no browser download). */
export async function launchChromium() {
  const { chromium } = await import(join(HERE, 'node_modules', 'playwright-core', 'index.mjs'));
  const profile = mkdtempSync(join(tmpdir(), 'ss-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `url`, waits for `window.__result`, returns it with the page text, the console errors
 * and failed requests seen.
 */
export async function runPage(context, url, { timeout = 30_000 } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`); });
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout });
    await page.waitForFunction(() => /\b(wasm|ts|native) [0-9.e-]+/.test(document.body.textContent ?? ''), null, { timeout });
    const result = await page.evaluate(() => window.__result);
    const text = await page.evaluate(() => document.body.textContent);
    return { result, text, errors };
  } catch (e) {
    throw new Error(`${url}: ${e.message}\nerrors: ${errors.join('\n')}`);
  } finally {
    await page.close();
  }
}

/** Builds the browser apps with the three bundlers (as their README sections say). */
export const bundlers = {
  vite: (dir) => run(bin('vite'), ['build', 'apps/vite', '--base', './', '--outDir', 'dist', '--emptyOutDir', '--logLevel', 'warn'], { cwd: dir }),
  webpack: (dir) =>
    run(bin('webpack'), ['--mode', 'production', '--entry', './apps/webpack/test-entry.js', '--output-path', join(dir, 'apps', 'webpack', 'dist'), '--output-filename', 'main.js'], { cwd: dir }),
  esbuild: (dir) =>
    run(bin('esbuild'), ['apps/esbuild/test-entry.js', '--bundle', '--format=esm', '--outdir=apps/esbuild/dist', '--loader:.wasm=file'], { cwd: dir }),
  'esbuild-lite': (dir) =>
    run(bin('esbuild'), ['apps/esbuild-lite/test-entry.js', '--bundle', '--format=esm', '--outdir=apps/esbuild-lite/dist', '--loader:.wasm=file'], { cwd: dir }),
};

/** `vite` (the dev server) on 127.0.0.1 over apps/vite; returns its URL and a stop function. */
export async function startViteDev(dir) {
  const { createServer: netServer } = await import('node:net');
  const port = await new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(bin('vite'), ['apps/vite', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, env: TOOL_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!/ready in/.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`vite dev did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      child.kill();
      await exited;
    },
  };
}

/** Compares a runtime's result with Node's native one: floats within 1e-6, integers identical. */
export function compareResults(got, ref) {
  const problems = [];
  for (const [k, want] of Object.entries(ref.floats)) {
    const have = got.floats?.[k];
    if (!Array.isArray(have) || have.length !== want.length) {
      problems.push(`${k}: length ${have?.length} ≠ ${want.length}`);
      continue;
    }
    // within 1e-6, relative to the value where it exceeds 1 (the losses are sums)
    const at = want.findIndex((w, i) => !(Math.abs(have[i] - w) <= 1e-6 * Math.max(1, Math.abs(w))));
    if (at >= 0) problems.push(`${k}[${at}]: ${have[at]} vs ${want[at]}`);
  }
  for (const [k, want] of Object.entries(ref.ints)) {
    if (JSON.stringify(got.ints?.[k]) !== JSON.stringify(want)) problems.push(`${k}: ${JSON.stringify(got.ints?.[k])} ≠ ${JSON.stringify(want)}`);
  }
  return problems;
}

export const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
