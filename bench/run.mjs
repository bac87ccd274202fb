// Runs every benchmark in one go (each writes bench/results/<name>.json and prints its table).
// Usage: npm run bench [-- --quick]   (after npm run build)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { here } from './lib.mjs';
import { join } from 'node:path';

const extra = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run.mjs', 'synth-coco.mjs'].includes(f)).sort();
for (const f of files) {
  console.log(`\n# ${f}`);
  execFileSync(process.execPath, [join(here, f), ...extra], { stdio: 'inherit' });
}
