// Test harness for the Node, Deno and Bun apps: runs the README snippet (main.mjs, given as the
// first argument relative to this folder), then the shared script, printing `RESULT <json>`.
import * as ss from 'soft-sampling';
import { compute } from '../compute.mjs';

const app = (globalThis.Deno?.args ?? globalThis.process.argv.slice(2))[0];
await import(`./${app}/main.mjs`);
console.log('RESULT ' + JSON.stringify(compute(ss)));
