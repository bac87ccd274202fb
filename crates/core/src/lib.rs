//! soft-sampling core: every numeric kernel of the library, with no binding code.
//!
//! Conventions (see `docs/spec/decisions.md`): boxes are `xyxy` `f32`, row-major `[N, 4]`,
//! no `+1` pixel offset unless `legacy_offset` is given; kernels compute in `f32` and accumulate
//! sums in `f64`. Inputs are validated by the TypeScript facade before any boundary is crossed;
//! the checks here only guard the kernels' own preconditions (lengths) and report a [`CoreError`].

pub mod assign;
pub mod decl_shim;
pub mod pisa;
pub mod error;
pub mod eval;
pub mod geometry;
pub mod losses;
pub mod par;
pub mod simd;
pub mod sort;

pub use error::CoreError;
