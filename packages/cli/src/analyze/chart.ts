/** Vega-Lite spec → SVG (vega, headless) → PNG (@resvg/resvg-js, system fonts). */
import { createRequire } from 'node:module';
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type * as ResvgJs from '@resvg/resvg-js';

// vega, vega-lite and resvg are CommonJS packages: loaded with require, not import, so Node does
// not run its CommonJS export scanner (cjs-module-lexer) over vega's ~30 bundled modules first —
// about half a second of CPU on a run, most of it compiling the scanner itself (the same modules
// and objects either way). (tsup shims __filename in the ESM build.)
const load = createRequire(__filename);
const vega = load('vega') as typeof Vega;
const { compile } = load('vega-lite') as typeof VegaLite;
const { Resvg } = load('@resvg/resvg-js') as typeof ResvgJs;

export type ChartSpec = Record<string, unknown>;

const CONFIG = {
  font: 'DejaVu Sans, Arial, Helvetica, sans-serif',
  background: 'white',
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
};

/** Adds the schema and shared styling to a Vega-Lite spec. */
export function withDefaults(spec: ChartSpec): ChartSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: CONFIG, ...spec };
}

/** Renders a Vega-Lite spec to SVG text, and to PNG bytes unless `png: false`. */
export async function renderChart(spec: ChartSpec, opts: { png?: boolean; scale?: number } = {}): Promise<{ svg: string; png?: Uint8Array }> {
  const vgSpec = compile(withDefaults(spec) as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  if (opts.png === false) return { svg };
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return { svg, png: new Uint8Array(png) };
}
