/**
 * The README's per-runtime snippets are the files test/runtimes runs (issue 11): each
 * `<!-- snippet: PATH -->` block must equal its file (scripts/readme-snippets.mjs rewrites them).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

test('every runtime snippet in the README is the text of the file its runtime test runs', () => {
  const out = execFileSync(process.execPath, [join(root, 'scripts', 'readme-snippets.mjs'), '--check'], { encoding: 'utf8' });
  expect(out).toMatch(/readme-snippets: \d+ snippets match their files/);
});

test('the README has a snippet for each runtime section the issue names', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const app of ['node-native/main.mjs', 'node-wasm/main.mjs', 'workerd/src/index.mjs', 'deno/main.mjs', 'bun/main.mjs', 'vite/main.js', 'webpack/main.js', 'esbuild/main.js', 'plain/index.html']) {
    expect(readme).toContain(`<!-- snippet: test/runtimes/apps/${app} -->`);
  }
});
