/** Focal-family losses: BCE / α-balanced CE, sigmoid and softmax focal loss, FL* (issue 3). */
export {};
