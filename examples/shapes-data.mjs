// Synthetic, heavily imbalanced "shapes" detection dataset, generated from a fixed seed.
// 32×32 grayscale images with 1–3 filled shapes on a noisy background; 2 classes:
// 0 = square (≈80 % of objects), 1 = disc (≈20 %). Boxes are xyxy pixels. With 192 anchors per
// image and ~2 objects, positives are ~2 % of the anchors: the imbalance focal loss / GHM / PISA address.

/** mulberry32: a tiny seeded PRNG (uniform in [0, 1)). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const IMAGE = 32;
export const CLASSES = ['square', 'disc'];

/**
 * @returns {{ images: Float32Array /* [n, 32, 32, 1] *\/, gts: { boxes: number[][], labels: number[] }[] }}
 */
export function makeShapes(n, seed) {
  const r = rng(seed);
  const images = new Float32Array(n * IMAGE * IMAGE);
  const gts = [];
  for (let k = 0; k < n; k++) {
    const img = images.subarray(k * IMAGE * IMAGE, (k + 1) * IMAGE * IMAGE);
    for (let i = 0; i < img.length; i++) img[i] = r() * 0.25;
    const count = 1 + Math.floor(r() * 3);
    const boxes = [], labels = [];
    for (let t = 0; t < count * 4 && boxes.length < count; t++) {
      const size = 6 + Math.floor(r() * 9); // 6..14 px
      const x1 = Math.floor(r() * (IMAGE - size)), y1 = Math.floor(r() * (IMAGE - size));
      const box = [x1, y1, x1 + size, y1 + size];
      // keep objects apart (IoU-free placement makes the task about classification + localisation)
      if (boxes.some((b) => !(box[2] <= b[0] || b[2] <= box[0] || box[3] <= b[1] || b[3] <= box[1]))) continue;
      const label = r() < 0.8 ? 0 : 1;
      const c = (size - 1) / 2;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = label === 0 || (x - c) ** 2 + (y - c) ** 2 <= (size / 2) ** 2;
          if (inside) img[(y1 + y) * IMAGE + x1 + x] = 0.7 + r() * 0.3;
        }
      }
      boxes.push(box);
      labels.push(label);
    }
    gts.push({ boxes, labels });
  }
  return { images, gts };
}
