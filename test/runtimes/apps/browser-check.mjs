// Test-only: after the page's snippet, run the shared script on the same module instance and
// leave the result for the test (window.__result). Loads the wasm itself in case the snippet's
// top-level await has not finished yet (initWasm can be called again).
import * as ss from 'soft-sampling';
import { compute } from '../compute.mjs';

await ss.initWasm();
window.__result = compute(ss);
