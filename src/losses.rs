//! napi bindings of the loss kernels (issue 3).
#[allow(unused_imports)]
use crate::guard;
