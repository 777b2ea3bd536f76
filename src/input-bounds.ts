/**
 * Bounds that a scenario's fields, the HTTP API's requests and the CLI flags setting the same quantities share:
 * one number each, so that the three never disagree (each user of a bound words its own reason).
 */

/** Spine oversubscription between nodes: fabrics are built 1:1 to about 4:1. */
export const MAX_OVERSUBSCRIPTION = 100;
/** Host CPU µs per kernel launch: a millisecond, 40x the measured H100 hosts. */
export const MAX_HOST_DISPATCH_US = 1000;
/** Videos in one forward: more than any serving engine batches (a few requests of one shape). */
export const MAX_BATCH = 1024;
/** Billed energy over IT energy (the industry average is 1.58). */
export const MAX_PUE = 5;
/** Scale-out fabric per NIC port or per GPU, USD: 20x a 64-port NDR switch ($36-50k). */
export const MAX_FABRIC_USD = 1e6;
/**
 * A daily curve's multiplier (workload.curve[].x): multipliers are relative (the curve is normalised to a mean of
 * 1), so a million between the quietest and the busiest hour is beyond any real traffic; far larger ones overflowed
 * the normalisation (a run with no arrivals, or 12x too many).
 */
export const MAX_CURVE_X = 1e6;
/** A request class's weight (workload.mix[].weight): shares are relative, and their sum must stay finite (at 1e308 all traffic went to the last class). */
export const MAX_MIX_WEIGHT = 1e9;
