import { sigmoidFocalLoss, backendInfo } from 'soft-sampling/lite';   // the lean wasm, ready at import

export default {
  async fetch(request) {
    const { logits, targets } = await request.json();   // e.g. { "logits": [[2, -1.5]], "targets": [[1, 0]] }
    const { loss, grad } = sigmoidFocalLoss(logits, targets, { alpha: 0.25, gamma: 2 });
    return Response.json({ loss, grad: Array.from(grad.data), backend: backendInfo().active });
  },
};
