//! napi bindings: PISA: IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4).
#[allow(unused_imports)]
use crate::guard;
