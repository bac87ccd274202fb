import { sigmoidFocalLoss, backendInfo } from 'soft-sampling';       // or: require('soft-sampling')
const { loss, grad } = sigmoidFocalLoss([[2, -1.5, 0.3]], [[1, 0, 0]], { alpha: 0.25, gamma: 2 });
console.log(backendInfo().active, loss, grad.data);                  // native 0.0723… Float32Array(3)
