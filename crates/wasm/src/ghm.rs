//! wasm exports: GHM-C, GHM-R, smooth L1 and ASL1 losses (issue 3).
#[allow(unused_imports)]
use crate::{report, slice, slice_mut};
