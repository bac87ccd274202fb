import { useBackend, sigmoidFocalLoss } from 'soft-sampling';
useBackend('wasm');               // or SOFT_SAMPLING_BACKEND=wasm; initWasm(source) loads another build
const { loss } = sigmoidFocalLoss([[2, -1.5, 0.3]], [[1, 0, 0]], { alpha: 0.25, gamma: 2 });
