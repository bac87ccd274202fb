// Shared benchmark runner (tinybench): runs cases, prints a table, writes JSON to bench/results/.
// Each case: { name, backend?, units /* work items per call, e.g. pairs or elements */, fn, setup?, iterations? }.
// Throughput is units per second from tinybench's mean latency; ratios are taken within one run.
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export const here = dirname(fileURLToPath(import.meta.url));

/**
 * @param {{title: string, unit: string, cases: {name: string, backend?: string, units: number, fn: () => void, setup?: () => void}[], out: string, time?: number}} suite
 * @returns {Promise<{name: string, backend?: string, meanMs: number, rme: number, samples: number, perSecond: number}[]>}
 */
export async function runSuite({ title, unit, cases, out, time = 1500 }) {
  const rows = [];
  for (const c of cases) {
    c.setup?.();
    c.fn(); // warm-up / JIT, and a crash here is better than a wrong number
    // c.iterations: minimum sample count (tinybench default 64; slow cases set fewer)
    const bench = new Bench({ name: c.name, time, warmupTime: 200, ...(c.iterations ? { iterations: c.iterations } : {}) });
    bench.add(c.name, c.fn);
    await bench.run();
    const r = bench.tasks[0].result;
    const meanMs = r.latency.mean;
    rows.push({ name: c.name, backend: c.backend, meanMs, rme: r.latency.rme, samples: r.latency.samples.length, perSecond: c.units / (meanMs / 1000) });
  }
  printTable(title, unit, rows);
  const file = join(here, 'results', `${out}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ title, unit, date: new Date().toISOString(), machine: machine(), rows }, null, 2));
  console.log(`wrote ${file}`);
  return rows;
}

export function machine() {
  return { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` };
}

function fmt(x) {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(2)} k`;
  return x.toFixed(2);
}

export function printTable(title, unit, rows) {
  console.log(`\n## ${title}\n`);
  console.log(`| case | mean time | ${unit}/s | ±rme | samples |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.meanMs.toFixed(3)} ms | ${fmt(r.perSecond)} | ${r.rme.toFixed(1)}% | ${r.samples} |`);
  }
}

/** Prints and returns `rows[a].perSecond / rows[b].perSecond` for each [label, a, b, target]. */
export function ratios(rows, specs) {
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  const outRows = [];
  console.log('\n| ratio | value | target |\n|---|---:|---:|');
  for (const [label, a, b, target] of specs) {
    const v = byName[a].perSecond / byName[b].perSecond;
    outRows.push({ label, value: v, target, met: target === undefined ? null : v >= target });
    console.log(`| ${label} | ${v.toFixed(2)}× | ${target === undefined ? '' : `≥ ${target}× ${v >= target ? '✔' : '✘'}`} |`);
  }
  return outRows;
}
