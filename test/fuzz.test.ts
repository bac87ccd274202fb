/**
 * The differential fuzz in CI (issue 10): every op's fast-check arbitraries, all three backends
 * compared, fixed seed, about one minute. Long runs: `npm run fuzz -- --cases N --seed S`.
 */
import * as lib from '../ts/index';
import { runFuzz, formatReport, OPS } from './fuzz/harness';

const BUDGET_MS = 50_000;

test('every op: same answer or same typed error on every backend, finite outputs, no foreign errors', () => {
  const rep = runFuzz(lib, { cases: 4000, seed: 20261130, deadline: Date.now() + BUDGET_MS, chunk: 100 });
  const findings = Object.entries(rep).filter(([, r]) => r.mismatches + r.nonFinite + r.foreign > 0);
  if (findings.length) console.log(formatReport(rep) + '\n' + findings.map(([n, r]) => `${n}:\n  ${r.examples.join('\n  ')}`).join('\n'));
  expect(findings.map(([n]) => n)).toEqual([]);
  // the budget reached every op, with enough cases that the generators are exercised
  for (const op of OPS) expect(rep[op.name].cases).toBeGreaterThanOrEqual(300);
}, 120_000);
