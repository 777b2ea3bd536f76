/**
 * How the README's generated prose writes the figures its blocks compute, one spelling each: a duration in minutes
 * to a tenth ("18.0 min"), a cost per video to a tenth of a cent ("$0.870").
 */

/** Seconds as minutes to a tenth: "18.0 min". */
export const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;

/** Dollars to a tenth of a cent: "$0.870". */
export const usdPerVideo = (x: number) => `$${x.toFixed(3)}`;
