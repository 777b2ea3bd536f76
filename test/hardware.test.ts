import { describe, it, expect } from 'vitest';
import {
  GPUS,
  LINKS,
  NODES,
  STORAGE,
  POWER_DEFAULTS,
  PRICE_DEFAULTS,
  UnknownIdError,
  getGpu,
  getLink,
  getNode,
  getStorage,
  listGpus,
  listLinks,
  listNodes,
  listStorage,
  editDistance,
} from '../src/hardware/index.ts';

type Entry = { id?: string; sources: Record<string, string> } & Record<string, unknown>;

/** Dotted paths of all leaves (excluding `sources`, `measuredBusBw`), with their values. */
function leaves(obj: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'sources' || k === 'measuredBusBw') continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...leaves(v as Record<string, unknown>, path));
    } else {
      out.push([path, v]);
    }
  }
  return out;
}

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const groups: Array<[string, readonly Entry[]]> = [
  ['gpu', GPUS as unknown as Entry[]],
  ['link', LINKS as unknown as Entry[]],
  ['node', NODES as unknown as Entry[]],
  ['storage', STORAGE as unknown as Entry[]],
  ['defaults', [POWER_DEFAULTS, PRICE_DEFAULTS] as unknown as Entry[]],
];

describe('hardware catalog provenance', () => {
  for (const [kind, entries] of groups) {
    it(`every numeric field of every ${kind} entry has a non-empty source`, () => {
      const missing: string[] = [];
      for (const e of entries) {
        for (const [path, v] of leaves(e)) {
          if (typeof v !== 'number') continue;
          if (!Number.isFinite(v)) missing.push(`${e.id ?? kind}.${path} (not finite)`);
          const src = e.sources[path];
          if (typeof src !== 'string' || src.trim().length < 5) missing.push(`${e.id ?? kind}.${path}`);
        }
      }
      expect(missing).toEqual([]);
    });

    it(`every source key of every ${kind} entry names an existing field`, () => {
      const stale: string[] = [];
      for (const e of entries) {
        const paths = new Set(leaves(e).map(([p]) => p));
        for (const key of Object.keys(e.sources)) if (!paths.has(key)) stale.push(`${e.id ?? kind}: ${key}`);
      }
      expect(stale).toEqual([]);
    });
  }

  it('every measured busbw point carries its own source and sane numbers', () => {
    for (const l of LINKS) {
      for (const m of l.measuredBusBw ?? []) {
        expect(m.source.length, `${l.id}`).toBeGreaterThan(5);
        expect(m.busBwGBs).toBeGreaterThan(0);
        expect(m.gpus).toBeGreaterThan(0);
        if (m.messageBytes !== null) expect(m.messageBytes).toBeGreaterThan(0);
      }
    }
  });

  it('entries with low confidence or missing optional data explain themselves in notes', () => {
    for (const g of GPUS) if (g.confidence === 'low') expect(g.notes, g.id).toBeTruthy();
    for (const n of NODES) if (n.confidence === 'low') expect(n.notes, n.id).toBeTruthy();
    for (const l of LINKS) if (l.confidence === 'low') expect(l.notes, l.id).toBeTruthy();
  });
});

describe('hardware catalog ids and references', () => {
  it('ids are unique and slug-shaped within each kind', () => {
    for (const [kind, entries] of groups) {
      if (kind === 'defaults') continue;
      const ids = entries.map((e) => e.id as string);
      expect(new Set(ids).size, kind).toBe(ids.length);
      for (const id of ids) expect(id, `${kind} id`).toMatch(SLUG);
    }
  });

  it('has the required GPU, link and node ids', () => {
    const gpuIds = GPUS.map((g) => g.id);
    for (const id of [
      'h100-sxm', 'h100-pcie', 'h100-nvl', 'h800', 'h20', 'h200', 'b200', 'gb200', 'a100-sxm-80g', 'a100-pcie-80g',
      'a800', 'l40s', 'l20', 'rtx4090', 'rtx3090', 'a10', 'mi300x', 'mi325x', 'mi355x', 'ascend-910b', 'ascend-910c',
    ]) {
      expect(gpuIds).toContain(id);
    }
    const linkIds = LINKS.map((l) => l.id);
    for (const id of [
      'nvlink3', 'nvlink3-a800', 'nvlink4', 'nvlink4-h800', 'nvlink-bridge-h100', 'nvlink-ga102', 'nvlink5', 'nvlink-c2c',
      'amd-if-mi300x', 'hccs-ascend', 'pcie4-x16', 'pcie5-x16', 'pcie6-x16', 'ib-hdr', 'ib-ndr', 'ib-xdr', 'roce-400',
      'roce-200', 'upi',
    ]) {
      expect(linkIds).toContain(id);
    }
    const nodeIds = NODES.map((n) => n.id);
    for (const id of [
      'hgx-h100-sxm-8', 'h100-pcie-8', 'hgx-h200-8', 'hgx-h20-8', 'dgx-b200-8', 'hgx-a100-8', 'l40s-pcie-8', 'rtx4090-8',
      'mi300x-8', 'ascend-910b-8', 'hgx-h800-8', 'a10-1', 'rtx4090-1',
    ]) {
      expect(nodeIds).toContain(id);
    }
    const storageIds = STORAGE.map((s) => s.id);
    for (const id of ['nvme-gen4', 'nvme-gen5', 'nfs', 'object-store-s3']) expect(storageIds).toContain(id);
  });

  it("every GPU's link ids resolve", () => {
    for (const g of GPUS) {
      expect(() => getLink(g.hostLink), g.id).not.toThrow();
      if (g.scaleUp.link !== null) expect(() => getLink(g.scaleUp.link as string), g.id).not.toThrow();
      else expect(g.scaleUp.topology, g.id).toBe('none');
    }
  });

  it("every node's gpu / link / storage ids resolve", () => {
    for (const n of NODES) {
      expect(getGpu(n.gpu).id, n.id).toBe(n.gpu);
      expect(getLink(n.intraNode.link).id, n.id).toBe(n.intraNode.link);
      expect(getLink(n.hostLinkPerGpu).id, n.id).toBe(n.hostLinkPerGpu);
      if (n.intraNode.crossSocketLink) expect(getLink(n.intraNode.crossSocketLink).kind, n.id).toBe('upi');
      if (n.nics.count > 0) {
        expect(n.nics.link, n.id).not.toBeNull();
        expect(['infiniband', 'roce', 'ethernet']).toContain(getLink(n.nics.link as string).kind);
        expect(n.nics.perNicGbps, n.id).toBeGreaterThan(0);
      } else {
        expect(n.nics.link, n.id).toBeNull();
      }
      if (n.localStorage.storage) expect(getStorage(n.localStorage.storage).kind, n.id).toBe('local-nvme');
    }
  });

  it('node topology matches the GPU scale-up fabric', () => {
    for (const n of NODES) {
      const g = getGpu(n.gpu);
      if (n.intraNode.topology === 'nvswitch') {
        expect(g.scaleUp.topology, n.id).toBe('nvswitch');
        expect(n.intraNode.link, n.id).toBe(g.scaleUp.link);
      }
      if (n.intraNode.topology === 'full-mesh' || n.intraNode.topology === 'hccs-mesh') {
        expect(n.intraNode.link, n.id).toBe(g.scaleUp.link);
      }
      if (n.intraNode.topology === 'pcie-switch-tree' || n.intraNode.topology === 'none') {
        expect(getLink(n.intraNode.link).kind, n.id).toBe('pcie');
      }
      if (n.gpusPerNode === 1) expect(n.intraNode.topology, n.id).toBe('none');
    }
  });
});

describe('hardware catalog sanity bounds', () => {
  it('GPU numbers are in plausible ranges', () => {
    for (const g of GPUS) {
      const t = g.tflops;
      expect(t.bf16, g.id).toBeGreaterThanOrEqual(t.fp32);
      expect(t.fp16, g.id).toBeGreaterThanOrEqual(t.fp32);
      if (t.fp8 !== undefined) expect(t.fp8, g.id).toBeGreaterThanOrEqual(t.bf16);
      if (t.fp4 !== undefined) expect(t.fp4, g.id).toBeGreaterThanOrEqual(t.fp8 ?? t.bf16);
      if (t.tf32 !== undefined) expect(t.tf32, g.id).toBeLessThanOrEqual(t.bf16);
      if (t.fp64 !== undefined) expect(t.fp64, g.id).toBeLessThanOrEqual(t.fp32);
      expect(g.memBwGBs, g.id).toBeGreaterThan(0);
      expect(g.memGB, g.id).toBeGreaterThan(0);
      expect(g.memUsableGB / g.memGB, g.id).toBeGreaterThanOrEqual(0.95);
      expect(g.memUsableGB / g.memGB, g.id).toBeLessThanOrEqual(1.1);
      expect(g.tdpW, g.id).toBeGreaterThan(50);
      if (g.idleW !== undefined) expect(g.idleW, g.id).toBeLessThan(g.tdpW * 0.35);
      expect(g.scaleUp.perGpuPerDirGBs, g.id).toBeGreaterThanOrEqual(0);
      if (g.scaleUp.link !== null) {
        expect(g.scaleUp.perGpuPerDirGBs, g.id).toBeGreaterThan(0);
        expect(g.scaleUp.perGpuPerDirGBs, g.id).toBeLessThanOrEqual(getLink(g.scaleUp.link).perDirGBs);
      }
      if (g.cloudUsdPerGpuHour !== undefined) expect(g.cloudUsdPerGpuHour, g.id).toBeLessThan(20);
      expect(['high', 'medium', 'low']).toContain(g.confidence);
    }
  });

  it('matches datasheet anchors', () => {
    const h100 = getGpu('h100-sxm');
    expect(h100.tflops.bf16).toBe(989);
    expect(h100.memBwGBs).toBe(3350);
    expect(h100.memGB).toBe(80);
    expect(h100.memUsableGB).toBeCloseTo((81559 * 1048576) / 1e9, 1);
    expect(getGpu('mi300x').memGB).toBe(192);
    expect(getGpu('h200').memBwGBs).toBe(4800);
    expect(getGpu('a100-sxm-80g').tflops.bf16).toBe(312);
    expect(getLink('nvlink4').perDirGBs).toBe(450);
    expect(getLink('pcie5-x16').perDirGBs).toBe(64);
    expect(getLink('ib-ndr').perDirGBs).toBe(50);
  });

  it('link numbers are in plausible ranges', () => {
    for (const l of LINKS) {
      expect(l.perDirGBs, l.id).toBeGreaterThan(0);
      expect(l.latencyUs, l.id).toBeGreaterThan(0);
      expect(l.latencyUs, l.id).toBeLessThan(100);
      expect(l.busBwEfficiency, l.id).toBeGreaterThan(0);
      expect(l.busBwEfficiency, l.id).toBeLessThanOrEqual(1);
      if (l.portGbps !== undefined) expect(l.perDirGBs, l.id).toBeCloseTo(l.portGbps / 8, 5);
    }
  });

  it('node numbers are in plausible ranges', () => {
    for (const n of NODES) {
      const g = getGpu(n.gpu);
      expect(n.gpusPerNode, n.id).toBeGreaterThan(0);
      expect(n.intraNode.cpuSockets, n.id).toBeGreaterThan(0);
      expect(n.nonGpuPowerW.busy, n.id).toBeGreaterThanOrEqual(n.nonGpuPowerW.idle);
      if (n.maxPowerW !== undefined) {
        expect(n.maxPowerW, n.id).toBeGreaterThanOrEqual(n.gpusPerNode * g.tdpW);
        expect(n.maxPowerW, n.id).toBeGreaterThan(n.nonGpuPowerW.busy);
      }
      if (n.localStorage.raid0ReadGBs !== undefined && n.localStorage.driveReadGBs !== undefined && n.localStorage.drives) {
        expect(n.localStorage.raid0ReadGBs, n.id).toBeLessThanOrEqual(n.localStorage.drives * n.localStorage.driveReadGBs * 1.05);
      }
      if (n.intraNode.pcieSwitches !== undefined && n.intraNode.gpusPerPcieSwitch !== undefined) {
        expect(n.intraNode.pcieSwitches * n.intraNode.gpusPerPcieSwitch, n.id).toBe(n.gpusPerNode);
      }
    }
  });

  it('defaults are in plausible ranges', () => {
    expect(POWER_DEFAULTS.pue.default).toBeGreaterThanOrEqual(1);
    expect(POWER_DEFAULTS.pue.industryAverage).toBeGreaterThan(POWER_DEFAULTS.pue.hyperscale);
    expect(POWER_DEFAULTS.psuEfficiency).toBeGreaterThan(0.8);
    expect(POWER_DEFAULTS.psuEfficiency).toBeLessThan(1);
    expect(PRICE_DEFAULTS.electricityUsdPerKwh).toBeGreaterThan(0.02);
    expect(PRICE_DEFAULTS.electricityUsdPerKwh).toBeLessThan(0.5);
    expect(PRICE_DEFAULTS.maintenancePctPerYear).toBeCloseTo(20, 5);
    expect(POWER_DEFAULTS.genericHostNonGpuPowerW.busy).toBe(2880);
  });

  it('storage numbers are in plausible ranges', () => {
    for (const s of STORAGE) {
      expect(s.readGBs, s.id).toBeGreaterThan(0);
      if (s.latencyMs !== undefined) expect(s.latencyMs, s.id).toBeGreaterThan(0);
    }
    expect(getStorage('nvme-gen5').readGBs).toBeGreaterThan(getStorage('nvme-gen4').readGBs);
  });
});

describe('hardware catalog lookups', () => {
  it('finds entries by id, case-insensitively, and through aliases', () => {
    expect(getGpu('h100-sxm').name).toContain('H100');
    expect(getGpu('H100-SXM').id).toBe('h100-sxm');
    expect(getGpu('h100').id).toBe('h100-sxm');
    expect(getGpu('a100').id).toBe('a100-sxm-80g');
    expect(getGpu('910b').id).toBe('ascend-910b');
    expect(getLink('ndr').id).toBe('ib-ndr');
    expect(getLink('pcie5').id).toBe('pcie5-x16');
    expect(getNode('dgx-h100').id).toBe('hgx-h100-sxm-8');
    expect(getStorage('s3').id).toBe('object-store-s3');
  });

  it("suggests 'h100-sxm' for 'h100-smx'", () => {
    let err: unknown;
    try {
      getGpu('h100-smx');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownIdError);
    const u = err as UnknownIdError;
    expect(u.kind).toBe('gpu');
    expect(u.id).toBe('h100-smx');
    expect(u.suggestions[0]).toBe('h100-sxm');
    expect(u.message).toBe('unknown gpu "h100-smx"; did you mean "h100-sxm"?');
  });

  it('suggests close ids for other kinds and lists known ids when nothing is close', () => {
    expect(() => getNode('hgx-h100-smx-8')).toThrow(/did you mean "hgx-h100-sxm-8"/);
    expect(() => getLink('nvlnk4')).toThrow(/"nvlink4"/);
    expect(() => getStorage('nvme-gen6')).toThrow(UnknownIdError);
    try {
      getGpu('totally-unknown-accelerator');
    } catch (e) {
      const u = e as UnknownIdError;
      expect(u.suggestions).toEqual([]);
      expect(u.message).toMatch(/known gpu ids: .*h100-sxm/);
    }
  });

  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('h100-smx', 'h100-sxm')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('list functions return every entry', () => {
    expect(listGpus().length).toBe(GPUS.length);
    expect(listLinks().length).toBe(LINKS.length);
    expect(listNodes().length).toBe(NODES.length);
    expect(listStorage().length).toBe(STORAGE.length);
  });
});
