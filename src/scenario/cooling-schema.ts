/**
 * `cluster.cooling`: how the GPUs are cooled (src/hardware/cooling.ts has the figures and their sources,
 * src/serving/thermal.ts the model). Without it cooling is not modelled: no throttling, no fan power change,
 * power.pue as before (the OpenMetrics export still reports a temperature for the reference air path, which
 * never reaches the throttle temperature of any catalog GPU at any power up to its TDP; tested).
 */
import { z } from 'zod';

export const CoolingSchema = z
  .strictObject({
    type: z.enum(['air', 'liquid']).describe('air: heat sinks and chassis fans; liquid: direct-to-chip cold plates on the GPUs (fans for the rest, pumps and CDUs in facility power)'),
    inlet_c: z.number().min(-20).max(60).optional().describe('air: inlet (cold-aisle) air temperature, °C (default 25; ASHRAE recommends 18–27, allows up to 32/35/40/45 in classes A1/A2/A3/A4)'),
    coolant_c: z.number().min(0).max(70).optional().describe('liquid: coolant supply temperature at the cold plates, °C (default 25; ASHRAE W32/W40/W45 loops run warmer)'),
    airflow: z.number().min(0.2).max(2).default(1).describe('air: airflow relative to the chassis reference at which the thermal resistance was measured (1); fan power ∝ airflow³, heat-sink resistance ∝ airflow^−0.8 (e.g. 0.8 with a failed fan module)'),
    thermal_resistance_k_per_w: z.number().positive().max(1).optional().describe('die-to-coolant thermal resistance per GPU, K/W (default from the catalog: H100 SXM 0.067 air, 0.036 liquid; other GPUs scaled by TDP)'),
    time_constant_s: z.number().positive().max(3600).optional().describe('thermal time constant of a GPU, s (default: H100 SXM 19 s air, measured; 10 s liquid)'),
    pue: z.number().min(1).max(3).optional().describe('facility PUE of this cooling (default: air 1.39, liquid 1.34, derived from the NVIDIA/Vertiv hybrid-cooling study); power.pue, when given, wins'),
  })
  .describe('GPU cooling: temperature follows power through a first-order thermal model; above the GPU\'s max operating temperature clocks throttle (service times grow); fans and PUE follow the cooling type. Absent: cooling is not modelled');

export type CoolingSpec = z.infer<typeof CoolingSchema>;
