// RS's service table is in its memory (rs/table.ts): what RS does about a failing driver follows
// what its table says, not what composition gave it. A zeroed heartbeat period means no pings and
// no hang detection; a cleared restart flag leaves a crashed driver dead in a build that restarts;
// a changed service entry restarts the driver with the changed entry (or refuses it). The entry
// round-trips through its record for the drivers composition starts.
import { describe, expect, it } from "vitest";
import { runWorkload } from "../../system/run.js";
import { HZ } from "../../system/kernel/params.js";
import { bootParams } from "../../system/kernel/proc.js";
import { rdU32, wr32, wrStr } from "../../system/servers/mem.js";
import { nativeRegion } from "../../system/servers/region.js";
import { decodeService, encodeService, serviceRecordError, SE, SE_PARAMS_LEN, SE_PROGRAM_LEN, SE_SIZE } from "../../system/servers/rs/service-record.js";
import { entryAt, RP, RP_RESTART, rsServices, rsSlot, slotOff } from "../../system/servers/rs/table.js";
import type { RsState } from "../../system/servers/rs/types.js";
import type { System } from "../../system/system.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { driverConf } from "../support/driver.js";
import { boot, ILLEGAL, LOOP, patchRunning, procIndex } from "../support/system.js";

const TICK = 100_000_000 / HZ;
const limits = { budgetCycles: 2_000_000_000, watchdogCycles: 200_000_000 };
const rsTable = (sys: System): Uint8Array => nativeRegion(sys.kernel, "rs")!;
const events = (sys: System) => sys.nativeState<RsState>("rs")!.events;
const atWini = (sys: System) => rsServices(rsTable(sys)).find((s) => s.label === "at_wini")!;

describe("RS decides from the table in its memory", () => {
  it("with the driver's heartbeat period zeroed there, RS stops pinging and never notices the driver hang", () => {
    const { sys, params } = boot("minix3", blocksWorkload, { heartbeatTicks: 33 });
    const t = rsTable(sys);
    expect(atWini(sys)).toMatchObject({ status: "up", period: 33, restart: true });
    wr32(t, slotOff(rsSlot(t, "at_wini")) + RP.period, 0);
    const lastPing = atWini(sys).lastPing;
    patchRunning(sys, "at_wini", "at_transfer", [LOOP]);
    const obs = runWorkload(sys, blocksWorkload, params, limits);
    expect(obs.end).toBe("stalled"); // the existing RS test sees "hang", "restart", "up" for the same loop
    expect(obs.probe.alive).toBe(true);
    expect(obs.cycles).toBeGreaterThan(5 * 33 * TICK); // well past two periods and a check
    expect(events(sys)).toEqual([]);
    expect(atWini(sys)).toMatchObject({ status: "up", period: 0, lastPing });
  });

  it("with the driver's restart flag cleared there, a crash leaves it dead in a build that restarts", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const t = rsTable(sys);
    const flags = slotOff(rsSlot(t, "at_wini")) + RP.flags;
    wr32(t, flags, rdU32(t, flags) & ~RP_RESTART);
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
    runWorkload(sys, blocksWorkload, params, limits);
    sys.run(100_000_000);
    expect(events(sys).map((e) => e.kind)).toEqual(["crash", "dead"]);
    expect(sys.kernel.lookupLabel("at_wini")).toBeUndefined();
    expect(atWini(sys)).toMatchObject({ status: "dead", restarts: 0 });
  });

  it("restarts the driver with the entry in its memory: changed parameters reach the new driver", () => {
    const { sys, params } = boot("minix3", blocksWorkload);
    const t = rsTable(sys);
    const entry = entryAt(rsSlot(t, "at_wini"));
    expect(atWini(sys).entry).toMatchObject({ params: "dma=1" });
    wrStr(t, entry + SE.params, SE_PARAMS_LEN, "dma=0");
    patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
    runWorkload(sys, blocksWorkload, params, limits);
    sys.run(100_000_000);
    expect(events(sys).map((e) => e.kind)).toEqual(["crash", "restart", "up"]);
    const banners = sys.console().match(/at_wini: BULKHEAD EMULATED DISK.*/g);
    expect(banners).toEqual(["at_wini: BULKHEAD EMULATED DISK, 8192 sectors (4 MiB), DMA", "at_wini: BULKHEAD EMULATED DISK, 8192 sectors (4 MiB), PIO"]);
    expect(bootParams(sys.kernel.km, procIndex(sys, "at_wini"))).toBe("dma=0");
    expect(atWini(sys).restarts).toBe(1);
  });

  it("refuses to restart from an entry that is no longer one; an entry naming a missing image fails to start", () => {
    for (const [program, error] of [["constructor", /corrupt service entry: program "constructor"/], ["nosuch", /at_wini: no image/]] as const) {
      const { sys, params } = boot("minix3", blocksWorkload);
      const t = rsTable(sys);
      wrStr(t, entryAt(rsSlot(t, "at_wini")) + SE.program, SE_PROGRAM_LEN, program);
      patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
      runWorkload(sys, blocksWorkload, params, limits);
      expect(events(sys).map((e) => e.kind)).toEqual(["crash", "restart-failed"]);
      expect(events(sys)[1].detail).toMatch(error);
      expect(atWini(sys).status).toBe("dead");
      expect(sys.kernel.state.panic).toBeNull();
    }
  });

  it("a driver's service entry round-trips through its record", () => {
    const conf = driverConf("at_wini", { ipcTo: ["rs", "ds", "vfs", "files"], params: "dma=0" });
    expect(serviceRecordError(conf)).toBeUndefined();
    const t = new Uint8Array(SE_SIZE);
    encodeService(t, 0, conf);
    expect(decodeService(t, 0)).toEqual({ ok: true, conf });
    // RS's record of the driver it started at boot is the entry composition gave it (the catalog's, the workload may call it).
    const { sys } = boot("minix3", blocksWorkload);
    const catalog = driverConf("at_wini");
    expect(atWini(sys).entry).toEqual({ ...catalog, ipcTo: [...catalog.ipcTo, "blocks"] });
    // An entry that does not fit is a composition error, said at once.
    expect(serviceRecordError({ ...conf, ipcTo: Array.from({ length: 9 }, (_, i) => `s${i}`) })).toMatch(/more than 8 IPC targets/);
    expect(serviceRecordError({ ...conf, label: "a-label-of-16-ch" })).toMatch(/label .* longer than 15/);
    expect(serviceRecordError({ ...conf, params: "p".repeat(128) })).toMatch(/params .* longer than 127/);
  });
});
