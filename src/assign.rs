//! napi bindings: MaxIoU assignment and the hard samplers: random, OHEM, IoU-balanced negatives, SSD hard negative mining (issue 4).
#[allow(unused_imports)]
use crate::guard;
