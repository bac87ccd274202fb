/**
 * IoU-family box-regression losses on aligned box pairs, with gradients w.r.t. the predicted boxes:
 * IoU (UnitBox, Yu et al. 2016: `−ln IoU`; also `1 − IoU`, `1 − IoU²`), GIoU (Rezatofighi et al.,
 * CVPR 2019, arXiv 1902.09630, Alg. 1), DIoU and CIoU (Zheng et al., AAAI 2020, arXiv 1911.08287,
 * eqs. 6 and 10–11, α gated by IoU > 0.5 as in the journal version arXiv 2005.03572). Reference
 * implementation: mmdetection `IoULoss`, `GIoULoss`, `DIoULoss`, `CIoULoss`
 * (`mmdet/models/losses/iou_loss.py`, v3.x), eps conventions included; spec `modern-methods.md` §5.
 *
 * Boxes are `xyxy` in pixels (any consistent unit), width `x2 − x1` (no +1). Degenerate and
 * reversed boxes are computed as {@link bboxOverlaps} computes them (areas not clamped, union
 * floored / eps-added): a zero-area box has IoU 0, never NaN.
 */
import { getBackend } from '../registry';
import { SoftSamplingError } from '../errors';
import { Tensor, checkOptions, numOpt, enumOpt, toFloat32 } from '../tensor';
import { reducer, type ReduceOptions } from './reduce';
import type { LossResult } from './focal';
import { checkRange, toMatrix } from './loss-args';

/** Options shared by the IoU-family losses. */
export interface BoxLossOptions extends ReduceOptions {
  /**
   * eps (default `1e-6`, mmdet's module default; mmdet's `giou_loss`/`diou_loss`/`ciou_loss`
   * functions use 1e-7). IoU loss: IoU clamped below at eps. GIoU: union and enclosing area
   * floored at eps. DIoU / CIoU: eps added to the union, to c², and (CIoU) to the heights.
   */
  eps?: number;
  /**
   * Weights `[N]` (per box) or `[N, 4]` (averaged per box, as mmdet's modules do), ≥ 0. With a
   * weight, no entry > 0 and a reduction other than `'none'`, the loss and gradient are 0.
   */
  weight?: unknown;
}

/** Options of {@link iouLoss}. */
export interface IouLossOptions extends BoxLossOptions {
  /** `'log'` (default, `−ln IoU`), `'linear'` (`1 − IoU`) or `'square'` (`1 − IoU²`). */
  mode?: 'log' | 'linear' | 'square';
}

/** What the IoU-family losses return: {@link LossResult} (`lossElements` `[N]`, `grad` `[N, 4]`) plus the pair IoUs. */
export interface BoxLossResult extends LossResult {
  /** `[N]` IoU of each pair (DIoU / CIoU: with eps added to the union). */
  iou: Tensor;
  /** CIoU only: `[N]` α = [IoU > 0.5]·v/(1 − IoU + v), the no-gradient weight of v. */
  ciouAlpha?: Tensor;
  /** CIoU only: `[N]` aspect-ratio term v = 4/π² (atan(w_gt/h_gt) − atan(w/h))². */
  ciouV?: Tensor;
}

const KIND = { iou: 0, giou: 1, diou: 2, ciou: 3 } as const;
const MODES = ['log', 'linear', 'square'] as const;

function run(kind: keyof typeof KIND, pred: unknown, target: unknown, options: unknown, extra: string[]): BoxLossResult {
  const o = checkOptions('options', options, ['eps', 'weight', 'reduction', 'avgFactor', 'lossWeight', ...extra]);
  // NaN / ±Inf and |x| > 1e18: refused by the kernel (one vectorised scan instead of JS passes; the
  // TS backend does the same check with the same error)
  const p = toMatrix('pred', pred, 4, false);
  const t = toMatrix('target', target, 4, false);
  const n = p.n;
  if (t.n !== n) throw new SoftSamplingError('E_SHAPE', 'target', `expected ${n} boxes (pred's), got ${t.n}`);
  const mode = kind === 'iou' ? MODES.indexOf(enumOpt('options.mode', o.mode, MODES, 'log')) : 0;
  const eps = numOpt('options.eps', o.eps, 1e-6, (x) => (x > 0 && x < 1 ? null : `must be in (0, 1), got ${x}`));
  let weight: Float32Array = new Float32Array(0);
  if (o.weight !== undefined && o.weight !== null) {
    const w = toFloat32('options.weight', o.weight).data;
    checkRange('options.weight', w, 0, Infinity);
    if (w.length === n) weight = w;
    else if (w.length === 4 * n) {
      weight = new Float32Array(n);
      for (let i = 0; i < n; i++) weight[i] = (w[4 * i] + w[4 * i + 1] + w[4 * i + 2] + w[4 * i + 3]) / 4;
    } else throw new SoftSamplingError('E_SHAPE', 'options.weight', `expected [N] = [${n}] or [N, 4] weights, got ${w.length} values`);
  }
  const r = reducer(o, n);
  const out = getBackend().iouFamilyLoss({ pred: p.data, target: t.data, weight }, { kind: KIND[kind], mode, eps, scale: r.scale });
  if (weight.length === n && r.reduction !== 'none' && !weight.some((v) => v > 0)) {
    // mmdet returns `(pred * weight).sum()` = 0 with a zero gradient (an avgFactor of 0 never divides)
    out.sum[0] = 0;
    out.grad.fill(0);
  }
  const res: BoxLossResult = {
    loss: out.sum[0] * r.scale,
    lossElements: new Tensor(out.lossElements, [n]),
    grad: new Tensor(out.grad, [n, 4]),
    iou: new Tensor(out.pairIou, [n]),
  };
  if (kind === 'ciou') {
    res.ciouAlpha = new Tensor(out.ciouAlpha, [n]);
    res.ciouV = new Tensor(out.ciouV, [n]);
  }
  return res;
}


/**
 * IoU loss: `−ln IoU` (UnitBox; `mode: 'log'`, default), `1 − IoU` (`'linear'`) or `1 − IoU²`
 * (`'square'`), with the union floored at 1e-6 and IoU clamped below at `eps` (a disjoint pair sits
 * on the clamp: loss −ln eps, zero gradient). Source: Yu et al., UnitBox (2016); matches mmdet `IoULoss`.
 * @param pred `[N, 4]` predicted boxes, xyxy, float32.
 * @param target `[N, 4]` gt boxes, xyxy.
 * @param options `mode`, `eps` (1e-6), `weight` `[N]`/`[N, 4]`, `reduction` (`'mean'` over N), `avgFactor`, `lossWeight`.
 * @returns {@link BoxLossResult}: `grad` = d loss / d pred `[N, 4]`.
 * @throws SoftSamplingError `E_SHAPE` (not `[N, 4]`, counts differ), `E_VALUE` (eps outside (0, 1),
 *   negative weight, NaN — with the index), `E_OPTION` (unknown mode, reduction or option), `E_TYPE`.
 */
export function iouLoss(pred: unknown, target: unknown, options?: IouLossOptions): BoxLossResult {
  return run('iou', pred, target, options, ['mode']);
}

/**
 * GIoU loss `1 − GIoU`, `GIoU = IoU − (E − U)/E` with union U and enclosing area E both floored
 * at `eps`; gradients flow through the enclosing box for disjoint pairs. Source: Rezatofighi et al.,
 * GIoU (CVPR 2019) Alg. 1; matches mmdet `GIoULoss`.
 * @param pred `[N, 4]` predicted boxes, xyxy. @param target `[N, 4]` gt boxes, xyxy.
 * @param options `eps` (1e-6), `weight`, `reduction` (`'mean'` over N), `avgFactor`, `lossWeight`.
 * @returns {@link BoxLossResult}.
 * @throws SoftSamplingError as {@link iouLoss}.
 */
export function giouLoss(pred: unknown, target: unknown, options?: BoxLossOptions): BoxLossResult {
  return run('giou', pred, target, options, []);
}

/**
 * DIoU loss `1 − IoU + ρ²/c²` (ρ: distance of the box centres, c: diagonal of the enclosing
 * box), eps added to the union and to c² (identical 10×10 boxes give ≈ 1e-8, not 0). Source: Zheng et
 * al., DIoU (AAAI 2020, arXiv 1911.08287) eq. 6; matches mmdet `DIoULoss`.
 * @param pred `[N, 4]` predicted boxes, xyxy. @param target `[N, 4]` gt boxes, xyxy.
 * @param options `eps` (1e-6), `weight`, `reduction` (`'mean'` over N), `avgFactor`, `lossWeight`.
 * @returns {@link BoxLossResult}.
 * @throws SoftSamplingError as {@link iouLoss}; also `E_VALUE` (`pred`, naming the pair) when a pair's
 *   penalty ρ²/c² exceeds 1e30 — only reversed boxes get there (for well-formed boxes ρ² ≤ c²), and
 *   the loss would overflow float32.
 */
export function diouLoss(pred: unknown, target: unknown, options?: BoxLossOptions): BoxLossResult {
  return run('diou', pred, target, options, []);
}

/**
 * CIoU loss `1 − clamp(IoU − ρ²/c² − α v, −1, 1)`, v = 4/π²(atan(w_gt/h_gt) − atan(w/h))² (heights
 * + eps), α = [IoU > 0.5]·v/(1 − IoU + v) held constant (no gradient; 0 where it would be 0/0).
 * The gradient of v keeps the 1/(w² + h²) factor (mmdet's autograd, not the paper's Sec. 3.2 variant).
 * Source: Zheng et al., CIoU (arXiv 1911.08287) eqs. 10–11, α gate from arXiv 2005.03572; matches mmdet `CIoULoss`.
 * @param pred `[N, 4]` predicted boxes, xyxy. @param target `[N, 4]` gt boxes, xyxy.
 * @param options `eps` (1e-6), `weight`, `reduction` (`'mean'` over N), `avgFactor`, `lossWeight`.
 * @returns {@link BoxLossResult} with `ciouAlpha` and `ciouV`.
 * @throws SoftSamplingError as {@link iouLoss}.
 */
export function ciouLoss(pred: unknown, target: unknown, options?: BoxLossOptions): BoxLossResult {
  return run('ciou', pred, target, options, []);
}
