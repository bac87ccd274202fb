/** Losses with analytic gradients (issue 3). */
export {};
