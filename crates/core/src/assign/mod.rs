//! Assignment, hard samplers and PISA (issue 4).
