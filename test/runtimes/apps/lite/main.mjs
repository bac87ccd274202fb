// soft-sampling/lite in Node, Deno and Bun: the `import`, `deno` and `bun` conditions instantiate the
// lean wasm at import; the entry carries only the lite ops.
import * as ss from 'soft-sampling/lite';

if (ss.backendInfo().active !== 'wasm') throw new Error(`soft-sampling/lite runs on ${ss.backendInfo().active}, not wasm`);
for (const op of ['evaluateCoco', 'qualityFocalLoss', 'atssAssign', 'giouLoss', 'createTfLosses']) {
  if (op in ss) throw new Error(`soft-sampling/lite exports ${op}, which is not a lite op`);
}
