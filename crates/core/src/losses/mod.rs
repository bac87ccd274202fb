//! Losses with analytic gradients (issue 3): CE, α-CE, focal (sigmoid, softmax), FL*, GHM-C, GHM-R, smooth L1, ASL1.
