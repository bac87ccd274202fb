// Test harness for the Node, Deno and Bun apps: runs the README snippet (main.mjs, given as the
// first argument relative to this folder), then the shared script, printing `RESULT <json>`.
import { compute } from '../compute.mjs';

// second argument `edge`: compute with soft-sampling/edge only (the per-runtime wrappers not loaded);
// `lite`: with soft-sampling/lite
const [app, entry] = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
await import(`./${app}/main.mjs`);
const ss = entry === 'edge' ? await import('soft-sampling/edge') : entry === 'lite' ? await import('soft-sampling/lite') : await import('soft-sampling');
console.log('RESULT ' + JSON.stringify(compute(ss)));
