// Campaign specs: valid YAML becomes a typed spec with defaults; every problem is one line
// that names the field.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../campaigns/spec.js";

const good = `
name: t
seed: 5
builds: [minix3, monolithic]
workloads: [blocks]
faults:
  - { type: NOP, count: 3 }
  - { type: BAD_POINTER, variant: "null", count: 2, trigger: { nth: 2 }, persistence: persistent, targets: [at_transfer] }
limits: { budget: 1000, watchdog: 100 }
`;

describe("campaign specs", () => {
  it("parses a valid spec with defaults", () => {
    const r = parseSpec(good);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.driver).toBe("at_wini");
    expect(r.spec.rounds).toBe(1);
    expect(r.spec.faults[0]).toEqual({ type: "NOP", count: 3, trigger: { kind: "first" }, persistence: "transient" });
    expect(r.spec.faults[1].trigger).toEqual({ kind: "nth", n: 2 });
    expect(r.spec.limits).toEqual({ budgetCycles: 1000, watchdogCycles: 100 });
  });

  it("takes one driver per workload as a mapping (faults go into each workload's own)", () => {
    const r = parseSpec(good.replace("workloads: [blocks]", "workloads: [files, net]\ndriver: { files: at_wini, net: rtl8139 }"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.targets).toEqual({ files: "at_wini", net: "rtl8139" });
    expect(r.spec.driver).toBe("at_wini");
    expect(parseSpec(good).ok && (parseSpec(good) as { spec: object }).spec).not.toHaveProperty("targets");
  });

  it("a driver mapping must name a known driver for each of the spec's workloads, and nothing else", () => {
    const r = parseSpec(good.replace("workloads: [blocks]", "workloads: [files, net]\ndriver: { files: nic9000, audio: es1371 }"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      expect.stringMatching(/^driver\.files: unknown driver "nic9000" \(known: /),
      `driver.audio: "audio" is not one of the spec's workloads (files, net)`,
      `driver: no driver named for workload "net"`,
    ]);
  });

  it("reports every problem as one line naming the field", () => {
    const r = parseSpec(`
name: bad name
seed: -1
builds: [minix3, plan9]
workloads: []
driverr: x
faults:
  - { type: NOPE, count: 0, trigger: sometimes, persistance: transient }
  - { type: BAD_POINTER, variant: wild, count: 1 }
limits: { budget: 1.5 }
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^name: use letters/),
      expect.stringMatching(/^seed: must be an integer >= 0, got -1/),
      expect.stringMatching(/^builds\[1\]: unknown build "plan9" \(known: minix3, monolithic, nooks, nooks-shadow, paravirt, paravirt-iommu, paravirt-replay, paravirt-iobitmap, singularity, singularity-norestart, minix3-norestart, /),
      expect.stringMatching(/^workloads: must be a non-empty list/),
      expect.stringMatching(/^driverr: unknown field \(did you mean driver\?\)/),
      expect.stringMatching(/^faults\[0\]\.type: unknown fault type "NOPE"/),
      expect.stringMatching(/^faults\[0\]\.count: must be an integer >= 1, got 0/),
      expect.stringMatching(/^faults\[0\]\.trigger: must be "first"/),
      expect.stringMatching(/^faults\[0\]\.persistance: unknown field \(did you mean persistence\?\)/),
      expect.stringMatching(/^faults\[1\]\.variant: must be one of null, random, kernel, off-by-page, kernel-priv, kernel-pagetable, kernel-queues, kernel-ipc, servers, got "wild"/),
      expect.stringMatching(/^limits\.budget: must be an integer >= 1, got 1\.5/),
    ]));
    for (const e of r.errors) expect(e).not.toContain("\n");
  });

  it("names the system's drivers: catalog names or mappings; the faulty driver must be one of them", () => {
    const r = parseSpec(good + "drivers: [at_wini, { driver: at_wini, label: disk1, params: dma=0 }]\n");
    expect(r.ok && r.spec.drivers).toEqual([{ driver: "at_wini" }, { driver: "at_wini", label: "disk1", params: "dma=0" }]);
    expect(parseSpec(good).ok && "drivers" in (parseSpec(good) as { spec: object }).spec).toBe(false); // absent: the stored spec is unchanged
    const bad = parseSpec(good.replace("name: t", "name: t\ndriver: e1000") + "drivers: [ne2000, { driver: at_wini, colour: red }]\n");
    expect(bad.ok ? [] : bad.errors).toEqual([
      'driver: unknown driver "e1000" (known: at_wini, es1371, printer, rtl8139)',
      'drivers[0].driver: unknown driver "ne2000" (known: at_wini, es1371, printer, rtl8139)',
      'drivers[1].colour: unknown field (known: driver, label, params)',
      'driver: "e1000" is not among drivers (ne2000, at_wini)',
    ]);
  });

  it("rejects what is not YAML or not a mapping", () => {
    expect(parseSpec("a: [1, 2")).toEqual({ ok: false, errors: [expect.stringMatching(/^not valid YAML/)] });
    expect(parseSpec("- 1\n- 2")).toEqual({ ok: false, errors: [expect.stringMatching(/must be a YAML mapping/)] });
  });

  it("accepts every ready-made campaign in campaigns/library", () => {
    for (const name of ["smoke", "swifi-disk", "swifi-disk-fast-heartbeat", "directed"]) {
      const r = parseSpec(readFileSync(new URL(`../../campaigns/library/${name}.yaml`, import.meta.url), "utf8"));
      expect(r.ok ? [] : r.errors).toEqual([]);
    }
  });
});
