/**
 * Numbers in the kernels' error messages: the native core prints them with Rust's `Display`; the
 * wasm core writes their bits and the JS side prints the same text (`rustFloatText`), so both
 * bindings give the same message.
 */
import { useBackend } from '../ts/index';
import { getBackend } from '../ts/registry';
import { rustFloatText } from '../ts/errors';
import { expectError } from './helpers';

describe('numbers in kernel error messages', () => {
  afterAll(() => useBackend('auto'));

  // f32 targets of the DFL kernel outside [0, bins − 1) (the facade checks them first; the kernel
  // is called directly here): the core prints the bad value
  const bad = [4, 4.5, 7.000001, 123456.79, 1e19, 3.4028235e38, -0.1, -1e-7, -1.5e-45, -3.4028235e38, NaN, Infinity];
  const message = (t: number) =>
    expectError(
      () => getBackend().distributionFocalLoss({ pred: new Float32Array(5), target: Float32Array.of(t), weight: new Float32Array(0) }, { bins: 5, scale: 1 }),
      'E_VALUE',
      'target',
    ).message;

  test.each(bad)('native and wasm print %p alike', (t) => {
    useBackend('native');
    const native = message(t);
    useBackend('wasm');
    const wasm = message(t);
    expect(wasm).toBe(native);
    expect(wasm).not.toMatch(/\u0001/);
  });

  test('the texts Rust prints', () => {
    useBackend('wasm');
    expect(message(4)).toMatch(/element 0 is 4, outside \[0, 4\)/);
    expect(message(-0.1)).toMatch(/element 0 is -0.1,/);
    expect(message(1e19)).toMatch(/element 0 is 10000000000000000000,/);
    expect(message(-1e-7)).toMatch(/element 0 is -0.0000001,/);
    expect(message(NaN)).toMatch(/element 0 is NaN,/);
    expect(message(Infinity)).toMatch(/element 0 is inf,/);
  });

  test('rustFloatText: f64 and f32 shortest digits, no exponent', () => {
    expect(rustFloatText(0.1, false)).toBe('0.1');
    expect(rustFloatText(Math.fround(0.1), true)).toBe('0.1');
    expect(rustFloatText(Math.fround(0.1), false)).toBe('0.10000000149011612');
    expect(rustFloatText(1e21, false)).toBe('1000000000000000000000');
    expect(rustFloatText(1.5e-10, false)).toBe('0.00000000015');
    expect(rustFloatText(-2.5, false)).toBe('-2.5');
    expect(rustFloatText(-0, false)).toBe('-0');
    expect(rustFloatText(0, true)).toBe('0');
    expect(rustFloatText(123.456, false)).toBe('123.456');
    expect(rustFloatText(-Infinity, true)).toBe('-inf');
    expect(rustFloatText(5e-324, false)).toBe(`0.${'0'.repeat(323)}5`);
  });
});
