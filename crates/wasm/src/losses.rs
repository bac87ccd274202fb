//! wasm exports of the loss kernels (issue 3).
#[allow(unused_imports)]
use crate::{report, slice, slice_mut};
