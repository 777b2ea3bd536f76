// The web UI in a real browser: Debian's chromium driven by playwright-core. Locally the test is skipped
// (with a message) when /usr/bin/chromium is missing; CI sets VGSIM_REQUIRE_BROWSER=1 (.ci/run installs
// chromium), and then a missing browser fails the test.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createVgsimServer } from '../src/serve/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.VGSIM_REQUIRE_BROWSER === '1';
const available = existsSync(CHROMIUM);
if (!available && !required) console.warn(`web-ui.test.ts: skipped, ${CHROMIUM} not found (apt-get install -y chromium; CI requires it)`);

describe.runIf(available || required)('web UI in headless Chromium', () => {
  const server = createVgsimServer({ scenarioDir: 'test/fixtures' });
  let base = '';
  let browser: import('playwright-core').BrowserContext;
  const profile = mkdtempSync(join(tmpdir(), 'vgsim-chromium-'));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser test is required here (VGSIM_REQUIRE_BROWSER=1); apt-get install -y chromium`);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    // a fresh profile folder (playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(profile, { recursive: true, force: true });
  });

  it('loads the default scenario, runs it, draws charts, re-runs a changed field and compares the runs', async () => {
    const page = await browser.newPage();
    const offline: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) offline.push(r.url()); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]');
    const text = await page.inputValue('[data-testid=editor]');
    expect(text).toContain('name: wan22-a14b-1x8h100');

    // the JSON Schema checks the editor as you type
    await page.fill('[data-testid=editor]', text.replace('duration: 8h', 'duration: 8h\nduratoin: 2h'));
    await page.waitForSelector('[data-testid=problems] li.problem');
    expect(await page.textContent('[data-testid=problems]')).toContain('unknown field "duratoin"');
    await page.fill('[data-testid=editor]', text);

    // run it: a chart renders (SVG with marks), the summary and the downloads are there
    await page.fill('[data-testid=run-label]', 'base');
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-chart="latency-cdf"] svg .mark-line path', { timeout: 60_000 });
    expect(await page.locator('[data-chart="latency-cdf"] svg .mark-symbol path').count()).toBeGreaterThan(10);
    expect(await page.textContent('[data-testid=summary]')).toMatch(/169 arrived, 169 completed/);
    const summaryUrl = await page.getAttribute('[data-testid=downloads] a:text("summary.json")', 'href');
    const downloaded = await (await page.request.get(base + summaryUrl)).json();
    expect(downloaded.requests.completed).toBe(169);

    // change a field (half the arrival rate) and run again
    await page.fill('[data-testid=editor]', text.replace('rate_per_hour: 20', 'rate_per_hour: 10'));
    await page.fill('[data-testid=run-label]', 'half rate');
    await page.click('[data-testid=run]');
    await page.waitForSelector('#result h2:has-text("half rate")');
    // attached, not "visible": without queueing every 720P video takes the same time and its CDF is a vertical
    // line, a path with a zero-width bounding box
    await page.waitForSelector('[data-chart="latency-cdf"] svg .mark-line path', { state: 'attached' });

    // compare the two runs side by side
    await page.click('nav button[data-tab=runs]');
    await page.check('[data-testid=pick-1]');
    await page.check('[data-testid=pick-2]');
    await page.click('[data-testid=compare]');
    await page.waitForSelector('[data-compare-chart="latency-cdf"] .chart:nth-child(2) svg');
    const rows = await page.$$eval('[data-testid=compare-table] tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
    const vph = rows.find((r) => r[0] === 'videos/h')!;
    expect(Number.parseFloat(vph[1]!)).toBeGreaterThan(Number.parseFloat(vph[2]!) * 1.5); // 20/h vs 10/h offered
    // the two runs were asked different traffic (another arrival rate): shown side by side, nothing ranked
    expect(await page.textContent('[data-testid=compare-unranked]')).toMatch(/not ranked: the runs serve different traffic \(arrivals differ\)/);
    expect(rows.flat().join(' ')).not.toMatch(/\*/);
    expect(await page.locator('[data-compare-chart="latency-cdf"] svg.marks').count()).toBe(2);

    // the estimate names what its numbers rest on (the default GPU, the H100 SXM, has a measured profile)
    await page.click('nav button[data-tab=estimate]');
    await page.click('[data-testid=estimate]');
    await page.waitForSelector('[data-testid=estimate-out] table');
    expect(await page.textContent('[data-testid=estimate-out]')).toMatch(/evidencemeasured kernel profile; held-out median \|error\| \d+\.\d% over \d+ time cases/);
    // and the end-to-end timings of this very kind of run
    expect(await page.textContent('[data-testid=estimate-out]')).toMatch(/this kind of runnearest held-out: \d+ end-to-end timings? of \S+ \(official\) on 1× h100-sxm: .*[−+]\d+\.\d%/);

    expect(errors).toEqual([]);
    expect(offline).toEqual([]); // no request left the local server
    await page.close();
  }, 120_000);
});
