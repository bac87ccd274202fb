//! wasm exports: MaxIoU assignment and the hard samplers: random, OHEM, IoU-balanced negatives, SSD hard negative mining (issue 4).
#[allow(unused_imports)]
use crate::{report, slice, slice_mut};
