/** The logistic function 1 / (1 + e^-x): the LSTM's input, forget and output gates. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
