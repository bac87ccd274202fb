#!/usr/bin/env node
// Copies each example file into the guides: a line `<!-- example: examples/x.mjs -->` in a docs/*.md
// page (or README.md) is followed by a fenced block holding the file verbatim. test/examples.test.ts
// checks that the blocks match; run this after editing an example.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const MARK = /^<!-- example: (\S+) -->\n(```\w*\n[\s\S]*?\n```\n)?/gm;
const lang = (f) => (f.endsWith('.sh') ? 'sh' : 'js');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
for (const page of pages) {
  const path = join(root, page);
  const text = readFileSync(path, 'utf8');
  const out = text.replace(MARK, (_, file) => {
    const src = readFileSync(join(root, file), 'utf8');
    return `<!-- example: ${file} -->\n\`\`\`${lang(file)}\n${src.endsWith('\n') ? src : src + '\n'}\`\`\`\n`;
  });
  if (out !== text) {
    writeFileSync(path, out);
    console.log(`updated ${page}`);
  }
}
