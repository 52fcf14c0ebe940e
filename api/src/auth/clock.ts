/** Time source for everything that expires; tests move it instead of waiting. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
