import { sigmoidFocalLoss, backendInfo } from 'soft-sampling';   // the `bun` export: wasm, ready at import
const { loss } = sigmoidFocalLoss([[2, -1.5, 0.3]], [[1, 0, 0]], { alpha: 0.25, gamma: 2 });
console.log(backendInfo().active, loss);                         // wasm 0.0723…  (bun main.mjs)
