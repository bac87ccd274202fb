#!/usr/bin/env node
// soft-sampling command line: the built CLI lives in dist/cli.mjs (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('soft-sampling: dist/cli.mjs is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
