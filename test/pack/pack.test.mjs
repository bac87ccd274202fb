// Issue 12 items 3–4: the two packages as users get them. `npm pack` the library (repo root,
// `soft-sampling`) and the command line (packages/cli, `soft-sampling-cli`), then
// - install the library tarball alone into an empty folder: it must add at most 5 MB, one package,
//   and no chart library (vega, vega-lite, @resvg), and compute on its native backend;
// - install both tarballs into another empty folder: `npx soft-sampling bench --quick` prints a table
//   of real throughputs for every op family on every backend, and `analyze` runs on the bundled data.
// - in that folder, every README block marked "runs from the installed CLI" (README.md,
//   packages/cli/README.md) and examples/cli.sh run as written, from the installed package's data/.
// The CLI's dependencies come from the npm cache that `npm ci` filled (--prefer-offline).
// Run: node --test test/pack/pack.test.mjs (after `npm run build`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUDGET = 5 * 1000 * 1000;
const CHART_LIBS = ['vega', 'vega-lite', '@resvg/resvg-js', 'vega-embed'];
let dir;
let libTgz;
let cliTgz;

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

/** Bytes of the regular files under `p` (symlinks not followed), and the installed packages. */
function du(p) {
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.isFile()) bytes += statSync(f).size;
    }
  };
  walk(p);
  return bytes;
}
function packages(nm) {
  const out = [];
  for (const e of readdirSync(nm)) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) for (const s of readdirSync(join(nm, e))) out.push(`${e}/${s}`);
    else out.push(e);
  }
  // nested node_modules (version conflicts) count too
  const nested = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const f = join(d, e.name);
      if (e.name === 'node_modules' && f !== nm) out.push(...packages(f));
      else nested(f);
    }
  };
  nested(nm);
  return out;
}

function emptyProject(name) {
  const d = join(dir, name);
  execFileSync('mkdir', ['-p', d]);
  writeFileSync(join(d, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  return d;
}

before(() => {
  for (const f of ['dist/index.mjs', 'dist/internal.mjs', 'packages/cli/dist/cli.mjs', 'packages/cli/data/cartucho-map-indoor85/coco/groundtruths_coco.json']) {
    assert.ok(existsSync(join(ROOT, f)), `${f} is missing: npm run build`);
  }
  dir = mkdtempSync(join(tmpdir(), 'ss-pack-'));
  // --ignore-scripts: the build is already there (and the library has no other pack step)
  libTgz = join(dir, JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT))[0].filename);
  cliTgz = join(dir, JSON.parse(npm(['pack', '--json', '--workspace', 'soft-sampling-cli', '--pack-destination', dir], ROOT))[0].filename);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the library tarball installs into an empty folder within 5 MB, as one package, without chart libraries', () => {
  const d = emptyProject('lib-only');
  npm(['install', '--prefer-offline', libTgz], d);
  const nm = join(d, 'node_modules');
  const pk = packages(nm);
  const bytes = du(nm);
  console.log(`library: ${pk.length} package(s) (${pk.join(', ')}), ${(bytes / 1e6).toFixed(2)} MB installed; tarball ${(statSync(libTgz).size / 1e6).toFixed(2)} MB`);
  assert.deepEqual(pk, ['soft-sampling']);
  assert.ok(bytes <= BUDGET, `installed size ${bytes} B > ${BUDGET} B`);
  for (const c of CHART_LIBS) assert.ok(!existsSync(join(nm, c)), `${c} installed with the library`);
  assert.ok(!existsSync(join(nm, 'soft-sampling', 'packages')) && !existsSync(join(nm, 'soft-sampling', 'data')), 'the CLI or its data leaked into the library tarball');
  // it computes, on the native addon it ships
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { bboxOverlaps, backendInfo } from 'soft-sampling';
    const r = bboxOverlaps([[0, 0, 10, 10]], [[0, 0, 10, 10], [5, 0, 15, 10]]);
    console.log(JSON.stringify({ backend: backendInfo().active, iou: Array.from(r.data) }));`], { cwd: d, encoding: 'utf8' });
  const got = JSON.parse(out);
  assert.equal(got.backend, 'native');
  assert.ok(Math.abs(got.iou[0] - 1) < 1e-6 && Math.abs(got.iou[1] - 1 / 3) < 1e-6, out);
  // the wasm ships once (dist/, beside the edge entry), and the Node entry's wasm backend loads it
  const wasms = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(nm, 'soft-sampling', rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.wasm')) wasms.push(r);
    }
  };
  walk('');
  // and the lean module of soft-sampling/lite once, beside its entry
  assert.deepEqual(wasms.sort(), ['dist/soft_sampling.wasm', 'dist/soft_sampling_lite.wasm']);
  const w = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { bboxOverlaps, useBackend } from 'soft-sampling';
    const info = useBackend('wasm');
    console.log(JSON.stringify({ info, iou: Array.from(bboxOverlaps([[0, 0, 10, 10]], [[5, 0, 15, 10]]).data) }));`], { cwd: d, encoding: 'utf8' });
  const gw = JSON.parse(w);
  assert.equal(gw.info.active, 'wasm');
  // forcing wasm loads no native addon
  assert.deepEqual(gw.info.available, ['wasm']);
  assert.ok(Math.abs(gw.iou[0] - 1 / 3) < 1e-6, w);
  // soft-sampling/lite in Node: the lean wasm, read beside its entry at import
  const l = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { bboxOverlaps, backendInfo } from 'soft-sampling/lite';
    console.log(JSON.stringify({ backend: backendInfo().active, iou: Array.from(bboxOverlaps([[0, 0, 10, 10]], [[5, 0, 15, 10]]).data) }));`], { cwd: d, encoding: 'utf8' });
  const gl = JSON.parse(l);
  assert.equal(gl.backend, 'wasm');
  assert.ok(Math.abs(gl.iou[0] - 1 / 3) < 1e-6, l);
  // and through require where Node has require(esm) (20.19+, 22.12+): the same Node entry (its `node`
  // condition), not the browser build that waits for initWasm()
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj > 22 || (maj === 22 && min >= 12) || (maj === 20 && min >= 19)) {
    const r = execFileSync(process.execPath, ['-e', `
      const { bboxOverlaps, backendInfo } = require('soft-sampling/lite');
      console.log(JSON.stringify({ backend: backendInfo().active, iou: Array.from(bboxOverlaps([[0, 0, 10, 10]], [[5, 0, 15, 10]]).data) }));`], { cwd: d, encoding: 'utf8' });
    const gr = JSON.parse(r);
    assert.equal(gr.backend, 'wasm');
    assert.ok(Math.abs(gr.iou[0] - 1 / 3) < 1e-6, r);
  }
});

/** A folder with both tarballs installed (made once, shared by the CLI tests). */
let cliProject;
function installedCli() {
  if (cliProject) return cliProject;
  const d = emptyProject('cli');
  npm(['install', '--prefer-offline', libTgz, cliTgz], d);
  return (cliProject = d);
}

test('the CLI tarball (with the library tarball beside it): npx soft-sampling bench --quick prints real throughputs; analyze runs on the bundled data', () => {
  const d = installedCli();
  const nm = join(d, 'node_modules');
  assert.ok(lstatSync(join(nm, 'soft-sampling')).isDirectory(), 'the library is installed from its tarball');
  const pk = packages(nm);
  console.log(`library + CLI: ${pk.length} packages, ${(du(nm) / 1e6).toFixed(1)} MB installed; CLI tarball ${(statSync(cliTgz).size / 1e6).toFixed(2)} MB`);
  for (const c of ['vega', 'vega-lite', '@resvg/resvg-js', 'commander', 'piscina', 'tinybench']) assert.ok(pk.includes(c), `${c} not installed with the CLI`);

  const table = execFileSync('npx', ['--no-install', 'soft-sampling', 'bench', '--quick'], { cwd: d, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  console.log(table);
  const lines = table.split('\n');
  const header = lines.findIndex((l) => /^op\s+size\s+backend\s+threads/.test(l));
  assert.ok(header > 0, `no table header in:\n${table}`);
  const rows = lines.slice(header + 2).filter((l) => l.trim() && !l.startsWith('note:')).map((l) => l.split(/\s{2,}/));
  const ops = ['iou', 'focal', 'ce', 'ghmc', 'ghmr', 'assign', 'random-sample', 'ohem-sample', 'iou-balanced-sample', 'hard-negative-mining', 'iou-hlr', 'isr-p', 'carl', 'coco-eval'];
  for (const op of ops) {
    for (const backend of ['native', 'wasm', 'ts']) {
      const r = rows.find((x) => x[0] === op && x[2] === backend);
      assert.ok(r, `no ${op} ${backend} line in:\n${table}`);
      const m = /^([\d.]+) ([kMG]?) ?\S+\/s$/.exec(r[5]);
      assert.ok(m, `throughput cell ${r[5]}`);
      const perSecond = Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 })[m[2]];
      assert.ok(Number.isFinite(perSecond) && perSecond > 0, `${op} ${backend}: ${r[5]}`);
      const ratio = /^([\d.]+)×$/.exec(r[6]);
      assert.ok(ratio && Number(ratio[1]) > 0, `${op} ${backend}: × ts cell ${r[6]}`);
      if (backend === 'ts') assert.equal(r[6], '1.00×');
    }
  }

  const out = join(d, 'report');
  execFileSync('npx', ['--no-install', 'soft-sampling', 'analyze', '--out', out, '--no-png', '--workers', '1', '-q'], { cwd: d, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  assert.ok(statSync(join(out, 'report.html')).size > 0 && existsSync(join(out, 'eval_voc.json')));
});

/**
 * The README blocks that say they run from the installed CLI: a ```sh block right after a
 * `<!-- runs from the installed CLI … -->` comment. Per line: `NAME=value` assignments (kept for the
 * lines after), `# comment` (its `→ X` is what the output of the commands after it must hold), and
 * commands.
 */
function installedBlocks(file) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const blocks = [];
  const re = /<!-- runs from the installed CLI[^>]*-->\s*```sh\n([\s\S]*?)```/g;
  for (let m; (m = re.exec(text)); ) blocks.push(m[1]);
  return blocks;
}

test('every README example that says it runs from the installed CLI runs from it (and prints what it claims)', () => {
  const d = installedCli();
  const files = ['README.md', 'packages/cli/README.md'];
  let commands = 0;
  for (const file of files) {
    const blocks = installedBlocks(file);
    assert.ok(blocks.length > 0, `${file}: no block marked "runs from the installed CLI"`);
    for (const block of blocks) {
      const assigns = [];
      let claim;
      for (const raw of block.split('\n')) {
        const line = raw.trim();
        if (!line) continue;
        if (line.startsWith('#')) {
          const m = /→\s*(.+)$/.exec(line);
          claim = m ? m[1].trim() : undefined;
          continue;
        }
        if (/^[A-Za-z_]\w*=/.test(line)) {
          assigns.push(line);
          continue;
        }
        assert.match(line, /^npx soft-sampling /, `${file}: a line of the installed-CLI block is not a soft-sampling command: ${line}`);
        let out;
        try {
          out = execFileSync('bash', ['-c', `set -euo pipefail\n${assigns.join('\n')}\n${line.replace(/^npx /, 'npx --no-install ')}`], { cwd: d, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
        } catch (e) {
          assert.fail(`${file}: \`${line}\` failed in a project with the packed CLI installed (exit ${e.status}):\n${e.stderr}`);
        }
        if (claim) assert.ok(out.includes(claim), `${file}: \`${line}\` does not print "${claim}":\n${out}`);
        commands++;
      }
    }
  }
  console.log(`${commands} README commands ran from the installed CLI`);
  // the docs' example script (docs/cli.md) uses the installed package's data too
  execFileSync('bash', [join(ROOT, 'examples', 'cli.sh')], { cwd: d, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  // and the data ships with its notices
  for (const set of ['cartucho-map-indoor85', 'coco-val2014-100']) assert.ok(existsSync(join(d, 'node_modules', 'soft-sampling-cli', 'data', set, 'SOURCE.md')), `${set}/SOURCE.md not shipped`);
});
