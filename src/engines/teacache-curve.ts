/** One published TeaCache curve for Wan2.1 (the rows of the generated engines/teacache-table.ts). */
export interface TeacacheCurve {
  model: 't2v-1.3b' | 't2v-14b' | 'i2v-480p' | 'i2v-720p';
  retSteps: boolean;
  steps: number;
  size: string;
  frames: number;
  points: readonly { threshold: number; fraction: number }[];
  source: string;
}
