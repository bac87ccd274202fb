/**
 * Float values in kernel error messages, native against wasm (`error::num` + `rustFloatText`): the
 * native core prints them with Rust's `Display`, the wasm core sends their bits and the JS side
 * prints them; fast-check over float32 bit patterns (subnormals, extremes, values whose shortest
 * digits sit next to a float32 rounding boundary) through a kernel check that prints the value.
 */
import fc from 'fast-check';
import { useBackend } from '../ts/index';
import { getBackend } from '../ts/registry';

const dv = new DataView(new ArrayBuffer(4));
const fromBits = (b: number) => {
  dv.setUint32(0, b >>> 0);
  return dv.getFloat32(0);
};

/** The DFL kernel's message for target `t` (outside [0, 1) with 2 bins: the kernel prints it). */
function message(t: number): string {
  try {
    getBackend().distributionFocalLoss({ pred: new Float32Array(2), target: Float32Array.of(t), weight: new Float32Array(0) }, { bins: 2, scale: 1 });
  } catch (e) {
    return String((e as Error).message);
  }
  return 'ok';
}

afterAll(() => useBackend('auto'));

test('every float32 a kernel prints: the same text on native and wasm', () => {
  const bits = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0x80000000, max: 0x80ffffff }) }, // negative subnormals and small normals
    { weight: 1, arbitrary: fc.integer({ min: 0x7f000000, max: 0x7f7fffff }) },
  );
  const diffs: string[] = [];
  fc.assert(
    fc.property(bits, (b) => {
      const t = fromBits(b);
      useBackend('native');
      const n = message(t);
      useBackend('wasm');
      const w = message(t);
      if (n !== w) diffs.push(`${t} (0x${(b >>> 0).toString(16)}): native "${n}" wasm "${w}"`);
      return true;
    }),
    { seed: 20261130, numRuns: 6000 },
  );
  expect(diffs.slice(0, 5)).toEqual([]);
});
