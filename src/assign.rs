//! napi bindings of assignment, samplers and PISA (issue 4).
#[allow(unused_imports)]
use crate::guard;
