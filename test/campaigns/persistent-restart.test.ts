/*
 * A persistent fault follows its driver across a restart into other memory. In the builds whose
 * drivers' memory comes in pieces (nooks, singularity: the image, the stack apart, a SIP's
 * channel page) RS restarts a driver at another physical address, where the breakpoint of a
 * runtime fault armed at the old one never fires: the campaign path re-arms it as soon as the
 * new incarnation exists (runWorkload's onRestart → injectors refresh). Here through the real
 * campaign runner: BAD_PORT_WRITE to the system control port, persistent, in at_wini.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../campaigns/spec.js";
import { Store } from "../../campaigns/store.js";
import { runSmallCampaign } from "../support/campaign.js";

const YAML = `
name: persistent-restart
description: a persistent port write to the system control port, into at_wini
seed: 11
builds: [singularity, minix3]
workloads: [files]
driver: at_wini
heartbeat: 300
faults:
  - { type: BAD_PORT_WRITE, variant: sysctl, count: 2, trigger: first, persistence: persistent }
limits: { budget: 3000000000, watchdog: 1000000000 }
`;

describe("a persistent runtime fault across an RS restart", () => {
  it("singularity: the restarted driver (in other memory) makes the write again and dies again, and is left dead; minix3 refuses each write", async () => {
    const r = parseSpec(YAML);
    if (!r.ok) throw new Error(r.errors.join("\n"));
    const db = join(mkdtempSync(join(tmpdir(), "bulkhead-persistent-")), "p.db");
    await runSmallCampaign(db, r.spec);
    const o = Store.open(db, { create: false });
    if (!o.ok) throw new Error(o.error);
    const rows = o.store.results();
    o.store.close();
    const sing = rows.filter((x) => x.build === "singularity");
    expect(sing.length).toBe(2);
    for (const x of sing) {
      expect(x.activated).toBe(true);
      expect(x.detection).toBe("manifest");
      expect(x.restarts).toBeGreaterThanOrEqual(1);
      expect(x.outcome).toBe("component-dead");
      const deaths = (JSON.parse(x.detail) as { deaths: Array<{ detail: string }> }).deaths;
      expect(deaths.length).toBeGreaterThanOrEqual(2); // the restarted driver made the write again: the fault followed it
      expect(deaths.every((d) => /^manifest check failed: a port/.test(d.detail))).toBe(true);
    }
    for (const x of rows.filter((y) => y.build === "minix3")) expect([x.detection, x.restarts]).toEqual(["denied-port", 0]);
  });
});
