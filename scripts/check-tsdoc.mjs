#!/usr/bin/env node
// Beyond TypeDoc's own validation (every export documented): every exported function's TSDoc says
// which errors it throws (an @throws tag, or "never throws") and where it comes from (a paper, the
// reference implementation it matches, or "no reference implementation"). Reads the JSON model that
// `npm run docs` writes (typedoc.json: "json": "out/typedoc.json").
import { readFileSync } from 'node:fs';

const model = JSON.parse(readFileSync(new URL('../out/typedoc.json', import.meta.url), 'utf8'));
const SOURCE = /mmdet|mmcv|pycocotools|torchvision|fvcore|detectron|VOC|COCO|et al\.|paper|eq\.|Source|no reference implementation/i;
const text = (parts = []) => parts.map((p) => p.text).join('');
const problems = [];
const seen = new Set();
const walk = (node, path) => {
  const here = node.kind === 1 || node.kind === 2 ? node.name : path;
  if (node.kind === 64 && !seen.has(node.id)) {
    seen.add(node.id);
    for (const sig of node.signatures ?? []) {
      const c = sig.comment ?? {};
      const all = text(c.summary) + (c.blockTags ?? []).map((t) => t.tag + ' ' + text(t.content)).join(' ');
      if (!(c.blockTags ?? []).some((t) => t.tag === '@throws') && !/never throws/i.test(all)) problems.push(`${here}.${node.name}: no @throws (or "never throws")`);
      if (!SOURCE.test(all)) problems.push(`${here}.${node.name}: no source (paper / reference implementation, or "no reference implementation")`);
    }
  }
  for (const child of node.children ?? []) walk(child, here);
};
walk(model, '');
if (problems.length) {
  console.error(`check-tsdoc: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-tsdoc: ${seen.size} exported functions, each with its errors and its source`);
