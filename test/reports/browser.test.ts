/*
 * The report in a real browser: a small real campaign (smoke.yaml, every fault count 3, one
 * worker) → `bulkhead report` → headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) loads report.html from disk with the network off: every chart image has
 * loaded with a non-zero natural size, the tables have rows, and a screenshot is taken (into the
 * test's temp dir). Also compare.html.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSmallCampaign } from "../support/campaign.js";
import { Store } from "../../campaigns/store.js";
import { loadReport } from "../../reports/data.js";
import { comparePaired } from "../../reports/pairs.js";
import { renderComparison, renderReport } from "../../reports/render.js";
import { writeFiles } from "../../bin/commands/report.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

const smallCampaign = (db: string): Promise<void> => runSmallCampaign(db);

let dir: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh does)`);
  dir = mkdtempSync(join(tmpdir(), "bulkhead-browser-"));
  const db = join(dir, "smoke.db");
  await smallCampaign(db);
  const o = Store.open(db, { create: false });
  if (!o.ok) throw new Error(o.error);
  const data = loadReport(o.store);
  o.store.close();
  const report = renderReport(data);
  const cmp = comparePaired(data, "minix3", "monolithic");
  if (!cmp.ok) throw new Error(cmp.error);
  const compare = renderComparison(cmp, data.spec.name);
  writeFiles(join(dir, "out"), [{ path: "report.html", data: report.html }, { path: "compare.html", data: compare.html }]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens a page from disk with every network request refused; returns the page and what it tried to fetch. */
async function open(file: string) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, offline: true });
  const requests: string[] = [];
  context.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
  const page = await context.newPage();
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, context, requests };
}

/** Every <img> of the page: complete, and its natural size. */
const images = (page: import("playwright-core").Page) =>
  page.$$eval("img", (imgs) => imgs.map((i) => ({ alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })));

describe("report.html in Chromium", () => {
  it("loads every chart, has table rows, and can be screenshot", async () => {
    const { page, context, requests } = await open(join(dir, "out", "report.html"));
    const imgs = await images(page);
    expect(imgs.length).toBeGreaterThanOrEqual(7);
    for (const i of imgs) {
      expect(i.complete, i.alt).toBe(true);
      expect(i.w, i.alt).toBeGreaterThan(0);
      expect(i.h, i.alt).toBeGreaterThan(0);
    }
    for (const sel of ["#summary table", "#outcomes table.counts", "#activation table", "#detection table", "#propagation table", "#recovery table", "#golden table"])
      expect(await page.locator(`${sel} tbody tr`).count(), sel).toBeGreaterThan(0);
    expect(await page.locator("#notable details.experiment").count()).toBeGreaterThan(0);
    expect(requests).toEqual([]);
    const shot = join(dir, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    await context.close();
  }, 60_000);

  it("compare.html loads its chart and its tables", async () => {
    const { page, context, requests } = await open(join(dir, "out", "compare.html"));
    const imgs = await images(page);
    expect(imgs.length).toBe(1);
    expect(imgs[0].w).toBeGreaterThan(0);
    expect(await page.locator("table.transition tbody tr").count()).toBeGreaterThan(0);
    expect(requests).toEqual([]);
    await context.close();
  }, 60_000);
});
