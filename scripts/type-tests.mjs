#!/usr/bin/env node
// Type tests against the packed package, as a user gets it: `npm pack`, unpack the tarball into
// <tmp>/node_modules/soft-sampling, then `tsc --noEmit` test/types/consumer.ts under three module
// resolutions (nodenext, bundler, node10). The fixture's `@ts-expect-error` lines must be errors
// (tsc fails on an unused one), everything else must compile. Needs `npm run build:ts` first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, copyFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const tmp = mkdtempSync(join(tmpdir(), 'ss-types-'));
try {
  const out = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
  const pkg = join(tmp, 'node_modules', 'soft-sampling');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['xzf', join(tmp, out), '-C', pkg, '--strip-components=1']);
  const configs = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
    node: { module: 'commonjs', moduleResolution: 'node' },
  };
  let failed = 0;
  for (const [name, opts] of Object.entries(configs)) {
    const dir = join(tmp, name);
    mkdirSync(dir);
    // nodenext reads the consumer's package.json "type": an ESM consumer, like `import` in Node
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    copyFileSync(join(root, 'test', 'types', 'consumer.ts'), join(dir, 'consumer.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        ...opts, target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, types: [],
        skipLibCheck: false, ignoreDeprecations: '5.0', typeRoots: [],
      },
      files: ['consumer.ts'],
    }));
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      console.log(`types: ${name} ok`);
    } catch (e) {
      failed++;
      console.error(`types: ${name} FAILED\n${e.stdout}${e.stderr}`);
    }
  }
  if (failed) process.exit(1);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
