/**
 * Autoscaling, per pool (the scenario's `autoscale`): every interval_s (priority 50: after the instant's
 * arrivals and completions) the pool's metric is compared with its thresholds —
 *   queue_length   requests waiting (at the pool and on its awake replicas) per awake replica;
 *   utilization    the share of active replicas running a batch;
 *   slo_risk       the share of waiting requests that would miss their SLO if the awake replicas served the
 *                  queue in arrival order;
 * — and, outside the cooldown, one replica is woken (scale_up_at; preferring one whose nodes are on) or one idle
 * for scale_down_delay_s is put to sleep (scale_down_at), within min/max replicas. A request reaching a pool with
 * no awake replica wakes one at once. Sleeping and waking are cold-start.ts's.
 */
import { acceptsWork, type ClusterState, type PoolState } from './state.ts';
import { partTime } from './service-times.ts';

export class Autoscaler {
  constructor(private readonly state: ClusterState) {}

  /** Starts the pool's periodic check (the first one interval_s from now). */
  start(pool: PoolState): void {
    const a = pool.autoscale;
    if (a) this.state.sim.schedule(a.interval_s, () => this.tick(pool), 50);
  }

  /** Wakes one more sleeping replica of the pool, unless max_replicas are already awake. */
  scaleUp(pool: PoolState, _why: string): void {
    const a = pool.autoscale!;
    const awake = pool.replicas.filter(acceptsWork).length;
    const max = a.max_replicas ?? pool.replicas.length;
    if (awake >= max) return;
    const candidate = pool.replicas.find((r) => r.state === 'asleep' && r.nodes.every((n) => n.state === 'on')) ?? pool.replicas.find((r) => r.state === 'asleep');
    if (!candidate) return;
    pool.lastScaleAt = this.state.sim.now;
    this.state.recorder.scaleUps++;
    this.state.ports.wake(candidate);
  }

  metricOf(pool: PoolState): number {
    const a = pool.autoscale!;
    const awake = pool.replicas.filter(acceptsWork);
    const queued = pool.pending.size + awake.reduce((x, r) => x + r.queue.size, 0);
    switch (a.metric) {
      case 'queue_length':
        return awake.length === 0 ? (queued > 0 ? Infinity : 0) : queued / awake.length;
      case 'utilization': {
        const active = awake.filter((r) => r.state === 'active');
        if (active.length === 0) return queued > 0 ? Infinity : 0;
        return active.filter((r) => r.servers.some((server) => server.batch)).length / active.length;
      }
      case 'slo_risk': {
        const now = this.state.sim.now;
        const waiting = [...pool.pending, ...awake.flatMap((r) => r.queue.values())];
        if (waiting.length === 0) return 0;
        const perReplica = awake.length > 0 ? awake.length : 1;
        let risky = 0;
        let ahead = 0;
        for (const req of [...waiting].sort((x, y) => x.arrival - y.arrival)) {
          ahead += partTime(pool, req.cls) / perReplica;
          if (req.cls.slo !== undefined && now + ahead + partTime(pool, req.cls) > req.arrival + req.cls.slo) risky++;
        }
        return risky / waiting.length;
      }
    }
  }

  private tick(pool: PoolState): void {
    const { sim, scenario: s, recorder, ports } = this.state;
    const a = pool.autoscale!;
    const m = this.metricOf(pool);
    if (sim.now - pool.lastScaleAt >= a.cooldown_s) {
      if (m >= a.scale_up_at && (m > 0 || pool.pending.size > 0)) this.scaleUp(pool, 'metric');
      else if (m <= a.scale_down_at) {
        const awake = pool.replicas.filter(acceptsWork);
        const idle = awake.filter((r) => r.state === 'active' && r.queue.size === 0 && r.servers.every((server) => !server.batch) && r.handoff.size === 0 && sim.now - r.idleSince >= a.scale_down_delay_s);
        if (awake.length > a.min_replicas && idle.length > 0) {
          pool.lastScaleAt = sim.now;
          recorder.scaleDowns++;
          ports.sleep(idle[idle.length - 1]!);
        }
      }
    }
    if (sim.now + a.interval_s <= s.duration || pool.replicas.some((r) => r.queue.size > 0 || r.servers.some((server) => server.batch)) || pool.pending.size > 0) sim.schedule(a.interval_s, () => this.tick(pool), 50);
  }
}
