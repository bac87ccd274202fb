/**
 * The guides' examples (issue 13): every file in examples/ that a guide shows runs to completion (its
 * own asserts check the conventions it demonstrates), the library ones on every backend; each guide's
 * code block is the example file verbatim; the package version has a CHANGELOG entry.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

/** `<!-- example: path -->` followed by a fenced block, in README.md and docs/*.md. */
function includes(): { page: string; file: string; block: string | null }[] {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const out: { page: string; file: string; block: string | null }[] = [];
  for (const page of pages) {
    const re = /^<!-- example: (\S+) -->\n(?:```\w*\n([\s\S]*?\n)```\n)?/gm;
    for (const m of read(page).matchAll(re)) out.push({ page, file: m[1], block: m[2] ?? null });
  }
  return out;
}

const GUIDES = ['geometry-and-assignment', 'focal-loss', 'ghm', 'pisa', 'samplers', 'evaluation', 'tfjs', 'cli'];
const shown = includes();
// library examples: pure soft-sampling code, run on each backend; the others once
const LIBRARY = ['quickstart.mjs', 'geometry-assignment.mjs', 'focal.mjs', 'ghm.mjs', 'pisa.mjs', 'samplers.mjs', 'evaluation.mjs'];

describe('guides', () => {
  test.each(GUIDES)('docs/%s.md exists and shows one example', (g) => {
    expect(shown.filter((s) => s.page === `docs/${g}.md`)).toHaveLength(1);
  });
  test('every guide and README code block marked as an example is that file, verbatim', () => {
    expect(shown.length).toBeGreaterThanOrEqual(GUIDES.length + 1);
    for (const s of shown) {
      expect({ page: s.page, file: s.file, block: s.block }).toEqual({ page: s.page, file: s.file, block: read(s.file) });
    }
  });
  test('every example the guides show is in examples/ and every example there is shown (or is the compare run)', () => {
    const files = readdirSync(join(root, 'examples')).map((f) => `examples/${f}`);
    for (const s of shown) expect(files).toContain(s.file);
    const notShown = files.filter((f) => !shown.some((s) => s.file === f)).sort();
    expect(notShown).toEqual(['examples/shapes-data.mjs', 'examples/train-compare.mjs']); // npm run compare, tested by train-compare.test.ts
  });
});

describe('links', () => {
  test('links from README.md and the guides into the API name exported symbols and the source file that declares them', () => {
    const api = require(join(root, 'dist', 'index.cjs')) as Record<string, unknown>;
    const pages = ['README.md', ...GUIDES.map((g) => `docs/${g}.md`)];
    let n = 0;
    for (const page of pages) {
      // no links into the generated HTML reference (not in the repository or the package)
      expect({ page, html: /\]\((?:docs\/)?api\/\w+\//.test(read(page)) }).toEqual({ page, html: false });
      for (const m of read(page).matchAll(/\[`(\w+)`\]\(((?:\.\.\/)?ts\/[\w/.-]+\.ts)\)/g)) {
        n++;
        const [, name, path] = m;
        const src = readFileSync(join(root, page.startsWith('docs/') ? 'docs' : '', path), 'utf8');
        const declared = new RegExp(`export (async function|function|const|let|class|interface|type) ${name}\\b`).test(src);
        expect({ page, name, path, declared }).toEqual({ page, name, path, declared: true });
        if (!/^[A-Z]/.test(name)) expect({ page, name, exported: name in api }).toEqual({ page, name, exported: true });
      }
    }
    expect(n).toBeGreaterThan(90);
  });
  test('relative links to other markdown pages resolve', () => {
    for (const page of ['README.md', 'CONTRIBUTING.md', ...GUIDES.map((g) => `docs/${g}.md`)]) {
      const dir = page.includes('/') ? 'docs' : '';
      for (const m of read(page).matchAll(/\]\(([\w./-]+\.md)(#[\w-]+)?\)/g)) {
        expect({ page, link: m[1], exists: existsSync(join(root, dir, m[1])) }).toEqual({ page, link: m[1], exists: true });
      }
    }
  });
});

describe('examples run', () => {
  const backends = ['native', 'wasm', 'ts'];
  const cases = LIBRARY.flatMap((f) => backends.map((b) => [f, b] as const));
  test.each(cases)('examples/%s on %s', async (file, backend) => {
    const { stdout } = await run(process.execPath, [join(root, 'examples', file)], {
      cwd: root, env: { ...process.env, SOFT_SAMPLING_BACKEND: backend },
    });
    expect(stdout.length).toBeGreaterThan(0);
  });
  test('examples/tfjs.mjs trains with the adapter', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'examples', 'tfjs.mjs')], { cwd: root });
    expect(stdout).toMatch(/GHM-C state after 5 steps: 5 updates/);
  });
  test('examples/cli.sh runs eval and analyze on the bundled data', async () => {
    const { stdout } = await run('bash', [join(root, 'examples', 'cli.sh')], { cwd: root, maxBuffer: 1 << 24 });
    expect(stdout).toMatch(/VOC mAP 0\.3104772/);
    expect(stdout).toMatch(/record \[0\]: field 'bbox' has a negative size/);
  }, 180_000);
});

describe('CHANGELOG', () => {
  const changelog = read('CHANGELOG.md');
  const version = JSON.parse(read('package.json')).version as string;
  test(`package.json's version (${version}) has a dated entry`, () => {
    expect(changelog).toMatch(new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  });
  test('keeps an Unreleased section above the releases', () => {
    const unreleased = changelog.indexOf('## [Unreleased]');
    expect(unreleased).toBeGreaterThan(-1);
    expect(unreleased).toBeLessThan(changelog.indexOf(`## [${version}]`));
  });
});
