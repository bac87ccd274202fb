import { initWasm, sigmoidFocalLoss, backendInfo } from 'soft-sampling/lite';
import wasmUrl from 'soft-sampling/soft_sampling_lite.wasm';   // esbuild --bundle --format=esm --loader:.wasm=file
await initWasm(new URL(wasmUrl, import.meta.url));
const { loss } = sigmoidFocalLoss([[2, -1.5, 0.3]], [[1, 0, 0]], { alpha: 0.25, gamma: 2 });
document.body.append(`${backendInfo().active} ${loss}`);   // wasm 0.0723…
