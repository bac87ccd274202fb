// Shared benchmark runner (tinybench): runs cases, prints a table, writes JSON to bench/results/.
// Each case: { name, backend?, units /* work items per call, e.g. pairs or elements */, fn, setup?, iterations? }.
// Throughput is units per second from tinybench's mean latency (the median of the rounds' means when
// the cases run in interleaved rounds); ratios are taken within one run.
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { settle } from '../packages/cli/dist/bench-cases.mjs'; // a full GC between cases

export const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs every case and prints the table. With `rounds` > 1 the cases are interleaved: round after
 * round, each case runs for `time / rounds` ms, and a case's time is the median of its rounds'
 * means (its ±rme column is then the largest deviation of a round's mean from that median). A
 * machine whose speed drifts (other tenants, frequency) then shifts every case of a round alike,
 * instead of whichever cases happened to run during a slow spell, so ratios taken within the run
 * are steadier.
 * Before each case (and round) the heap is collected in full ([`settle`]), so cases do not pay
 * for each other's garbage.
 * @param {{title: string, unit: string, cases: {name: string, backend?: string, units: number, fn: () => void, setup?: () => void, iterations?: number}[], out: string, time?: number, rounds?: number}} suite
 * @returns {Promise<{name: string, backend?: string, meanMs: number, rme: number, samples: number, perSecond: number, rounds?: number[]}[]>}
 */
export async function runSuite({ title, unit, cases, out, time = 1500, rounds = 1 }) {
  const perRound = cases.map(() => []);
  const samples = cases.map(() => 0);
  const rmes = cases.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      await settle();
      c.setup?.();
      if (round === 0) c.fn(); // warm-up / JIT, and a crash here is better than a wrong number
      // c.iterations: minimum sample count per round (tinybench default 64; slow cases set fewer)
      const bench = new Bench({ name: c.name, time: time / rounds, warmupTime: round === 0 ? 200 : 50, ...(c.iterations ? { iterations: c.iterations } : {}) });
      bench.add(c.name, c.fn);
      await bench.run();
      const r = bench.tasks[0].result;
      perRound[i].push(r.latency.mean);
      samples[i] += r.latency.samples.length;
      rmes[i] = r.latency.rme;
    }
  }
  const median = (v) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rows = cases.map((c, i) => {
    const meanMs = median(perRound[i]);
    const rme = rounds > 1 ? Math.max(...perRound[i].map((m) => Math.abs(m / meanMs - 1))) * 100 : rmes[i];
    return { name: c.name, backend: c.backend, meanMs, rme, samples: samples[i], perSecond: c.units / (meanMs / 1000), ...(rounds > 1 ? { rounds: perRound[i] } : {}) };
  });
  printTable(title + (rounds > 1 ? ` (${rounds} interleaved rounds; time = median of the rounds' means, ±: largest deviation of a round)` : ''), unit, rows);
  const file = join(here, 'results', `${out}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ title, unit, date: new Date().toISOString(), machine: machine(), rounds, rows }, null, 2));
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
