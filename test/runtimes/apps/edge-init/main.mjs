// The plain edge entry with initWasm() and no argument: fetches the soft_sampling.wasm beside
// dist/edge.mjs (a file: URL here, which Deno and Bun fetch; Deno needs --allow-read for it).
import { initWasm, backendInfo } from 'soft-sampling/edge';

if (backendInfo().active !== 'ts') throw new Error(`before initWasm the edge entry runs on ts, not ${backendInfo().active}`);
const info = await initWasm();
if (info.active !== 'wasm') throw new Error(`initWasm() left ${info.active} active`);
