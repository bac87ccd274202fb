import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'ts/index.ts' },
    format: ['esm', 'cjs'],
    outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
    dts: true,
    shims: true,
    clean: true,
    target: 'node18',
    platform: 'node',
  },
  {
    entry: { edge: 'ts/edge.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: true,
    target: 'es2020',
    platform: 'neutral',
  },
  {
    // the `soft-sampling` CLI (bin/soft-sampling.mjs imports it) and its piscina worker
    entry: { cli: 'ts/cli.ts', worker: 'ts/worker.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    dts: false,
    shims: true,
    splitting: true,
    target: 'node18',
    platform: 'node',
  },
]);
