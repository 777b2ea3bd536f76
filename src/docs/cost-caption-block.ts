/**
 * The caption under the README's TCO chart: the default run priced owned, cloud on demand and cloud with
 * per-second billing (the three runs scripts/readme-charts.ts draws), run now.
 */
import { runScenario } from './scenario-runs.ts';

const DEFAULT = 'scenarios/default.yaml';
const usd = (x: number | null | undefined, d = 3) => (x == null ? '–' : `$${x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}`);

export function costCaption(): string {
  const owned = runScenario(DEFAULT).cost;
  const cloud = runScenario(DEFAULT, ['cost.basis=cloud', 'cost.cloud.billing=provisioned']).cost;
  const serverless = runScenario(DEFAULT, ['cost.basis=cloud', 'cost.cloud.billing=busy']).cost;
  return `*The default run priced three ways (\`vgsim run ${DEFAULT}\`, with \`--set cost.basis=cloud\` and \`--set cost.cloud.billing=busy\`): ` +
    `owned ${usd(owned?.usd_per_video)}/video (${usd(owned?.usd_per_month, 0)}/month), cloud on demand ${usd(cloud?.usd_per_video)}/video, cloud with per-second billing ${usd(serverless?.usd_per_video)}/video.*`;
}
