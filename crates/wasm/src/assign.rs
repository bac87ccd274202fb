//! wasm exports of assignment, samplers and PISA (issue 4).
#[allow(unused_imports)]
use crate::{report, slice, slice_mut};
