/**
 * soft-sampling/lite's E_BACKEND texts: what initWasm says it accepts must name the lite module
 * (soft_sampling_lite.wasm is what "no argument" loads beside the lite entry, not soft_sampling.wasm).
 */
type Lite = typeof import('../ts/lite');

let lite: Lite;
jest.isolateModules(() => {
  lite = require('../ts/lite');
});

test('lite initWasm with bytes that are not wasm: E_BACKEND whose "accepted" names the module lite loads by default', async () => {
  const e: any = await lite.initWasm(new Uint8Array([1, 2, 3])).then(
    () => undefined,
    (x) => x,
  );
  expect([e?.code, e?.arg]).toEqual(['E_BACKEND', 'source']);
  expect(e.message).toMatch(/^E_BACKEND source: initWasm cannot use a Uint8Array of 3 bytes: not WebAssembly/);
  // "no argument" loads soft_sampling_lite.wasm here; the message must not send a lite user to the full module's file alone
  expect(e.message).toMatch(/no argument \([^)]*soft_sampling_lite\.wasm[^)]*soft-sampling\/lite/);
});
