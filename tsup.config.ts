import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The command line's dependencies stay dependencies of packages/cli (never bundled), and the library
// is imported as `soft-sampling` / `soft-sampling/internal` (one instance, the installed package).
const cliPkg = JSON.parse(readFileSync('packages/cli/package.json', 'utf8'));
const cliExternal = [...Object.keys(cliPkg.dependencies ?? {}), ...Object.keys(cliPkg.peerDependencies ?? {}), /^soft-sampling\//];

export default defineConfig([
  {
    // the library's Node entry, ESM; `internal` (the evaluator's per-image pieces, for the CLI)
    // shares its chunks, so the backend chosen through one is the backend of the other
    entry: { index: 'ts/index.ts', internal: 'ts/internal.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: true,
    shims: true,
    splitting: true,
    clean: true,
    target: 'node18',
    platform: 'node',
  },
  {
    // the library's Node entry, CommonJS
    entry: { index: 'ts/index.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    dts: true,
    shims: true,
    target: 'node18',
    platform: 'node',
  },
  {
    // the edge entry (d.ts for every edge condition)
    entry: { edge: 'ts/edge.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: true,
    target: 'es2020',
    platform: 'neutral',
  },
  {
    // the edge entry without the pure-TS backend, which the workerd/deno/bun wrappers
    // (ts/entries/*.mjs, copied by scripts/dist-extras.mjs) import; its types are edge.d.mts.
    // A bundle of its own (no chunk shared with edge.mjs): a Worker bundles one file.
    entry: { 'edge-wasm': 'ts/edge-wasm.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: false,
    target: 'es2020',
    platform: 'neutral',
  },
  {
    // soft-sampling/lite: the lite ops over the lean wasm (soft_sampling_lite.wasm), no pure-TS
    // backend; a bundle of its own, which the per-runtime wrappers ts/entries/lite-*.mjs import
    entry: { lite: 'ts/lite.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: true,
    target: 'es2020',
    platform: 'neutral',
  },
  {
    // packages/cli (`soft-sampling-cli`): the `soft-sampling` command (bin/soft-sampling.mjs imports
    // dist/cli.mjs), its piscina worker and the benchmark cases bench/*.mjs share with `soft-sampling bench`
    entry: { cli: 'packages/cli/src/cli.ts', worker: 'packages/cli/src/worker.ts', 'bench-cases': 'packages/cli/src/bench/cases.ts' },
    outDir: 'packages/cli/dist',
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: false,
    shims: true,
    splitting: true,
    clean: true,
    target: 'node18',
    platform: 'node',
    external: cliExternal,
  },
]);
