//! PISA: IoU-HLR, ISR-P, ISR-N (Score-HLR), CARL (issue 4).
