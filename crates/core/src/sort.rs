//! The kernels' index sorts, as sorts of packed integer keys.
//!
//! A comparator sort (`sort_by(|a, b| ...)`) is compiled once per comparator: the standard
//! library's sorts are large generic functions (quicksort + small-sort networks, ~3–17 KB each
//! once the comparator is inlined), and fifteen of them were ~18 % of the wasm module's code. Here
//! every order is written as an unsigned key — the sort value mapped to an order-preserving integer
//! in the high bits, the tie-break (an index, or the position for a stable order) in the low 32
//! bits — and sorted with `sort_unstable` over `u64` or `u128`: two instantiations for the whole
//! crate (plus the plain `u32` sort the samplers use). Keys are unique, so the unstable sort gives
//! one defined order, and comparing integers is as fast as or faster than the comparators were.

/// `u32` key ordering finite f32 values (and ±Inf) **descending**: the IEEE total-order trick
/// (flip all bits of negatives, the sign bit of positives), inverted; −0 and +0 are equal.
/// NaN must not occur (the callers' values are finite or filtered).
#[inline(always)]
pub fn desc_key_f32(x: f32) -> u32 {
    let b = (x + 0.0).to_bits();
    let asc = if b & 0x8000_0000 != 0 { !b } else { b | 0x8000_0000 };
    !asc
}

/// [`desc_key_f32`] for f64: a `u64` key ordering values descending, −0 = +0.
#[inline(always)]
pub fn desc_key_f64(x: f64) -> u64 {
    let b = (x + 0.0).to_bits();
    let asc = if b & (1 << 63) != 0 { !b } else { b | (1 << 63) };
    !asc
}

/// `u32` key ordering i32 values ascending.
#[inline(always)]
pub fn asc_key_i32(x: i32) -> u32 {
    (x as u32) ^ 0x8000_0000
}

/// Sorts packed `u64` keys ascending (one shared instantiation).
#[inline(never)]
pub fn sort_u64(keys: &mut [u64]) {
    keys.sort_unstable();
}

/// Sorts packed `u128` keys ascending (one shared instantiation).
#[inline(never)]
pub fn sort_u128(keys: &mut [u128]) {
    keys.sort_unstable();
}

/// Reorders `idx` **stably** by `key(idx[i])` ascending (equal keys keep their order in `idx`).
/// `scratch` is reused between calls.
pub fn stable_sort_by_u32_key(idx: &mut [u32], scratch: &mut Vec<u64>, key: impl Fn(u32) -> u32) {
    scratch.clear();
    scratch.extend(idx.iter().enumerate().map(|(pos, &i)| (key(i) as u64) << 32 | pos as u64));
    sort_u64(scratch);
    for k in scratch.iter_mut() {
        *k = idx[*k as u32 as usize] as u64;
    }
    for (d, &k) in idx.iter_mut().zip(scratch.iter()) {
        *d = k as u32;
    }
}

/// Reorders `idx` **stably** by `score(idx[i])` **descending** (f64, no NaN; equal scores keep
/// their order in `idx`). `scratch` is reused between calls.
pub fn stable_sort_desc_f64(idx: &mut [u32], scratch: &mut Vec<u128>, score: impl Fn(u32) -> f64) {
    scratch.clear();
    scratch.extend(idx.iter().enumerate().map(|(pos, &i)| (desc_key_f64(score(i)) as u128) << 32 | pos as u128));
    sort_u128(scratch);
    for k in scratch.iter_mut() {
        *k = idx[*k as u32 as usize] as u128;
    }
    for (d, &k) in idx.iter_mut().zip(scratch.iter()) {
        *d = k as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_like_the_comparators() {
        let xs = [3.5f32, -0.0, 0.0, -2.0, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-40, 7.0];
        for &a in &xs {
            for &b in &xs {
                let want = b.partial_cmp(&a).unwrap();
                assert_eq!(desc_key_f32(a).cmp(&desc_key_f32(b)), want, "{a} {b}");
                let want = (b as f64).partial_cmp(&(a as f64)).unwrap();
                assert_eq!(desc_key_f64(a as f64).cmp(&desc_key_f64(b as f64)), want, "{a} {b}");
            }
        }
        for &a in &[i32::MIN, -5, -1, 0, 1, 9, i32::MAX] {
            for &b in &[i32::MIN, -5, -1, 0, 1, 9, i32::MAX] {
                assert_eq!(asc_key_i32(a).cmp(&asc_key_i32(b)), a.cmp(&b));
            }
        }
    }

    #[test]
    fn stable_sorts_match_the_std_stable_sorts() {
        let mut r = crate::assign::rng::Rng::new(7);
        for n in [0usize, 1, 2, 5, 33, 300] {
            let idx0: Vec<u32> = (0..n as u32).map(|i| (i * 7919) % (n as u32).max(1)).collect();
            let cat: Vec<u32> = (0..n).map(|_| r.below(4)).collect();
            let score: Vec<f64> = (0..n).map(|_| (r.below(5) as f64) * 0.25 - 0.5).collect();
            let (mut a, mut b) = (idx0.clone(), idx0.clone());
            a.sort_by_key(|&i| cat[i as usize]);
            stable_sort_by_u32_key(&mut b, &mut Vec::new(), |i| cat[i as usize]);
            assert_eq!(a, b);
            let (mut a, mut b) = (idx0.clone(), idx0.clone());
            a.sort_by(|&x, &y| score[y as usize].partial_cmp(&score[x as usize]).unwrap());
            stable_sort_desc_f64(&mut b, &mut Vec::new(), |i| score[i as usize]);
            assert_eq!(a, b);
        }
    }
}
