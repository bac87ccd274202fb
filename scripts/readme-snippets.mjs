// The README's runtime snippets are the files the runtime tests run (test/runtimes/apps). Each is
// marked in README.md by `<!-- snippet: PATH -->` followed by a fenced code block; the block must be
// the file's text (or, when the file has `#region readme` … `#endregion` marker lines, the lines
// between them). `node scripts/readme-snippets.mjs` rewrites the blocks from the files;
// `--check` exits 1 naming every block that differs (run by test/readme-snippets.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');

export function snippetOf(path) {
  const text = readFileSync(join(root, path), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.includes('#region readme'));
  if (start < 0) return text.replace(/\n$/, '');
  const end = lines.findIndex((l, i) => i > start && l.includes('#endregion'));
  return lines.slice(start + 1, end).join('\n');
}

const MARK = /<!-- snippet: (\S+) -->\n(```[a-z]*)\n((?:(?!```)[\s\S])*?)\n```/g;

export function sync(check) {
  const readme = readFileSync(readmePath, 'utf8');
  const problems = [];
  let count = 0;
  const next = readme.replace(MARK, (_all, path, fence, body) => {
    count++;
    const want = snippetOf(path);
    if (body !== want) problems.push(path);
    return `<!-- snippet: ${path} -->\n${fence}\n${want}\n\`\`\``;
  });
  if (!check && next !== readme) writeFileSync(readmePath, next);
  return { count, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const { count, problems } = sync(check);
  if (check && problems.length) {
    console.error(`README snippets differ from their files (run node scripts/readme-snippets.mjs): ${problems.join(', ')}`);
    process.exit(1);
  }
  console.log(`readme-snippets: ${count} snippets ${check ? 'match their files' : 'written'}`);
}
