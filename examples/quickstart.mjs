import { bboxOverlaps, maxIouAssign, assignTargets, sigmoidFocalLoss, backendInfo } from 'soft-sampling';

console.log(backendInfo().active); // 'native', 'wasm' or 'ts' — whichever loaded first

// Boxes are xyxy pixels: [[x1, y1, x2, y2], …]
const anchors = [[0, 0, 10, 10], [5, 5, 15, 15], [20, 20, 30, 30]];
const gt = [[0, 0, 10, 10]];
const iou = bboxOverlaps(anchors, gt); // Tensor [3, 1]
console.log(iou.toArray()); // [[1], [0.1428…], [0]]

// Assign anchors to gt (−1 ignored, 0 negative, j + 1 positive for gt j), then make loss targets:
// labels with background = numClasses, labelWeights 0 for ignored anchors, avgFactor = max(#pos, 1).
const assign = maxIouAssign(anchors, gt, { posIouThr: 0.5, negIouThr: 0.4, gtLabels: [1] });
const { labels, labelWeights, avgFactor } = assignTargets(assign, { numClasses: 2 });

// Focal loss of a 2-class sigmoid head: the loss, per-element losses and d loss / d logits.
const logits = { data: new Float32Array([-1, 2, 0.5, -3, -4, -2]), shape: [3, 2] };
const { loss, grad } = sigmoidFocalLoss(logits, labels, { labelWeights, avgFactor }); // α 0.25, γ 2
console.log(loss, grad.toArray());
