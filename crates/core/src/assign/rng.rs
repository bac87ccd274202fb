//! The samplers' random generator: one algorithm, bit-identical in Rust and in TypeScript
//! (`ts/backends/ts/assign.ts`, class `Rng`), so the same seed draws the same indices on every backend.
//!
//! - Seeding: the `u32` seed drives **splitmix32** (state += 0x9e3779b9, then the murmur3 `fmix32`
//!   finaliser `z ^= z >> 16; z *= 0x85ebca6b; z ^= z >> 13; z *= 0xc2b2ae35; z ^= z >> 16`);
//!   four successive outputs are the four state words (all-zero state replaced by `[1, 0, 0, 0]`).
//! - Stream: **xoshiro128\*\*** (Blackman & Vigna 2018): `out = rotl(s1·5, 7)·9`, then the xoshiro128
//!   state update with shifts 9 and rotation 11; all arithmetic mod 2^32.
//! - Uniform integer in `[0, n)`: rejection — draw `x` until `x < 2^32 − (2^32 mod n)`, return `x mod n`
//!   (exact, unbiased, needs only 32-bit arithmetic, so JavaScript reproduces it with `>>> 0`).
//! - k of n without replacement: partial Fisher–Yates over the candidate pool in ascending index order:
//!   for `i` in `0..k`: `j = i + below(n − i)`, swap `pool[i]` and `pool[j]`; the first `k` entries,
//!   sorted ascending, are the sample. If `n ≤ k` the whole pool is taken and no number is drawn.

/// One splitmix32 step.
#[inline]
pub fn splitmix32(state: &mut u32) -> u32 {
    *state = state.wrapping_add(0x9e37_79b9);
    let mut z = *state;
    z = (z ^ (z >> 16)).wrapping_mul(0x85eb_ca6b);
    z = (z ^ (z >> 13)).wrapping_mul(0xc2b2_ae35);
    z ^ (z >> 16)
}

/// xoshiro128** seeded through splitmix32.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u32; 4],
}

impl Rng {
    pub fn new(seed: u32) -> Self {
        let mut x = seed;
        let mut s = [0u32; 4];
        for w in s.iter_mut() {
            *w = splitmix32(&mut x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// Uniform integer in `[0, n)`, `n ≥ 1` (rejection sampling, see the module docs).
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n >= 1);
        let limit = (1u64 << 32) - ((1u64 << 32) % n as u64);
        loop {
            let x = self.next_u32();
            if (x as u64) < limit {
                return x % n;
            }
        }
    }

    /// `k` distinct entries of `pool` (partial Fisher–Yates, see the module docs), sorted ascending.
    /// Takes the whole pool (sorted, no draws) when `pool.len() ≤ k`.
    pub fn choose(&mut self, mut pool: Vec<u32>, k: usize) -> Vec<u32> {
        let n = pool.len();
        if n > k {
            for i in 0..k {
                let j = i + self.below((n - i) as u32) as usize;
                pool.swap(i, j);
            }
            pool.truncate(k);
        }
        pool.sort_unstable();
        pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_stream() {
        // Pinned values: the TypeScript twin (test/assign.test.ts) is tested against the same numbers.
        let pinned: [(u32, [u32; 4], [u32; 5]); 4] = [
            (0, [3809008728, 1133695204, 53579671, 2891528803], [1, 8, 9, 13, 14]),
            (1, [2442144158, 3238099751, 3819917871, 2104621829], [4, 6, 11, 14, 18]),
            (12345, [518667457, 440444462, 4232892992, 3757857622], [0, 9, 10, 16, 17]),
            (0xffff_ffff, [835879718, 1921286648, 2356205009, 1885780724], [0, 1, 7, 16, 18]),
        ];
        for (seed, stream, chosen) in pinned {
            let mut r = Rng::new(seed);
            assert_eq!((0..4).map(|_| r.next_u32()).collect::<Vec<_>>(), stream);
            let mut r = Rng::new(seed);
            assert_eq!(r.choose((0..20).collect(), 5), chosen);
        }
    }

    #[test]
    fn below_is_in_range_and_covers() {
        let mut r = Rng::new(42);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[r.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
        assert_eq!(r.below(1), 0);
    }

    #[test]
    fn choose_is_unique_sorted_exact() {
        let mut r = Rng::new(7);
        let pool: Vec<u32> = (0..100).map(|i| i * 3).collect();
        let s = r.choose(pool.clone(), 10);
        assert_eq!(s.len(), 10);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(s.iter().all(|x| pool.contains(x)));
        assert_eq!(r.choose(vec![5, 1, 3], 10), vec![1, 3, 5]);
    }
}
