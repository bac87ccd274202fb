//! napi bindings: focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3).
#[allow(unused_imports)]
use crate::guard;
