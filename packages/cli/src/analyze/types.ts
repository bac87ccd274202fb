/** Shared types of the analyses. */
import type { SampleSet } from './samples';
import type { ImageInput } from 'soft-sampling/internal';
import type { GtSet } from 'soft-sampling/internal';
import type { CocoEvalResult } from 'soft-sampling/internal';
import type { Row, CsvColumns } from './artifacts';
import type { RowTable } from './writer';
import type { ChartSpec } from './chart';

export interface AnalyzeSettings {
  gammas: number[];
  alpha: number;
  ghmBins: number;
  pisaK: number;
  topK: number[];
  seed: number;
  legacyOffset: boolean;
}

export interface AnalysisContext {
  samples: SampleSet;
  images: ImageInput[];
  gt: GtSet;
  settings: AnalyzeSettings;
  cocoBaseline: CocoEvalResult;
  /**
   * COCO evaluation of the same detections with the scores of some replaced: `raised` maps a
   * detection's input index to its new score (one kernel call over the whole set).
   */
  evaluateRaised(raised: ReadonlyMap<number, number>): Promise<CocoEvalResult>;
  /**
   * The PISA fig. 2 variants already evaluated (with the baseline, in one kernel call): top-k →
   * the evaluation with the top-k IoU-HLR positives of each image raised. Missing: evaluated on demand.
   */
  rescored?: ReadonlyMap<number, CocoEvalResult> | undefined;
}

export interface AnalysisOutput {
  /** File stem: `<id>.json`, `<id>.csv`, `<id>.svg`, `<id>.png`. */
  id: string;
  title: string;
  /** What it reproduces (paper, figure). */
  figure: string;
  /** How to read it; the choices made. */
  caption: string;
  /** `'ok'`: drawn; `'empty'`: nothing to draw (see `missing`), the data files are still written. */
  status: 'ok' | 'empty';
  /** What the input lacks for this analysis (status `'empty'`), e.g. "no positives (no detection matched a gt box)". */
  missing?: string;
  json?: unknown;
  /**
   * Rows of `<id>.csv`: an array, or any iterable, or columns (per-sample files are written straight
   * from their arrays), or a RowTable (writer.ts: big row sets built as columns; the JSON may hold the same table).
   */
  csv?: Iterable<Row> | CsvColumns | RowTable;
  /** The CSV's columns, for its header when `csv` is an empty array (a table of no rows, not an empty file). */
  csvColumns?: string[];
  spec?: ChartSpec;
  /** Set once the data files are written (json / csv are then dropped). */
  hasCsv?: boolean;
  /** The report's line saying how many points a thinned chart draws (see `thinPoints`); absent when it draws all. */
  drawn?: string;
  /** Key numbers, one line each, for the report. */
  summary?: string[];
}

