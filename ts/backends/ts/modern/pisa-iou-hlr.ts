/** TS twin of `pisa::iou_hlr` (through `decl_shim::pisa_iou_hlr`); the ranking itself is shared with ISR-P's twin. */
import type { PisaIouHlrInputs, PisaIouHlrOptions, PisaIouHlrOutputs } from '../../../kernels/modern';
import { iouHlr } from '../pisa';

export function pisaIouHlr({ labels, gtIds, ious, prime }: PisaIouHlrInputs, { primeMode }: PisaIouHlrOptions, out: PisaIouHlrOutputs): void {
  const r = iouHlr(labels, gtIds, ious, prime, primeMode);
  out.ranks.set(r.ranks);
  out.maxLNum[0] = r.maxLNum;
}
