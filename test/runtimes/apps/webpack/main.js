import { initWasm, sigmoidFocalLoss, backendInfo } from 'soft-sampling';
await initWasm();   // webpack 5 emits soft_sampling.wasm as an asset and rewrites its URL
const { loss } = sigmoidFocalLoss([[2, -1.5, 0.3]], [[1, 0, 0]], { alpha: 0.25, gamma: 2 });
document.body.append(`${backendInfo().active} ${loss}`);   // wasm 0.0723…
