//! Byte decoding shared by the targets: the facade's contract, so the kernels see only what it
//! lets through (finite floats with |x| ≤ 1e18, ts/tensor.ts `MAX_MAGNITUDE`).
#![allow(dead_code)]

pub const MAX_BOX_COORD: f32 = 1e18;
/// ts/tensor.ts `MAX_MAGNITUDE`: the bound on every float input.
pub const MAX_MAGNITUDE: f32 = 1e18;

pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    /// A finite f32 (raw bits; NaN/±Inf mapped to 0), clamped to ±`bound`.
    pub fn f32(&mut self, bound: f32) -> f32 {
        let v = f32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()]);
        if v.is_finite() { v.clamp(-bound, bound) } else { 0.0 }
    }
    pub fn vec(&mut self, n: usize, bound: f32) -> Vec<f32> {
        (0..n).map(|_| self.f32(bound)).collect()
    }
}
