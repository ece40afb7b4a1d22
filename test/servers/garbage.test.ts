// DS's and RS's tables full of garbage (a wild write over their memory) never throw on the host:
// the servers read what the bytes say — bounded loops, clamped counts, strings as their bytes —
// and the system runs on with whatever follows; the harness's views of the tables read it too.
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { runWorkload } from "../../system/run.js";
import { PROC, RTS_SLOT_FREE } from "../../system/kernel/layout.js";
import { NR_SLOTS } from "../../system/kernel/params.js";
import { DS_END, DS_TABLE, dsEntries, dsSubscriptions, NR_DS_KEYS } from "../../system/servers/ds-table.js";
import { wr32, wrStr } from "../../system/servers/mem.js";
import { nativeRegion } from "../../system/servers/region.js";
import { decodeService, SE, SE_GUEST, SE_LABEL_LEN, SE_PROGRAM_LEN, SE_SIZE } from "../../system/servers/rs/service-record.js";
import { entryAt, NR_RS_SERVICES, RP, RP_IN_USE, RP_RESTART, RS_END, RS_HDR, RS_TABLE, rsServices, slotOff } from "../../system/servers/rs/table.js";
import type { RsState } from "../../system/servers/rs/types.js";
import type { System } from "../../system/system.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { boot, ILLEGAL, patchRunning } from "../support/system.js";

const fill = (b: Uint8Array, from: number, to: number, rng: () => number): void => {
  for (let i = from; i < to; i++) b[i] = (rng() * 256) | 0;
};

/**
 * Garbage that gets past RS's first checks: every slot in use, a short check interval, endpoints
 * of live processes, entries naming the driver's image with random privileges and parameters.
 */
function plausible(sys: System, rs: Uint8Array, rng: () => number): void {
  const live: number[] = [];
  for (let idx = 0; idx < NR_SLOTS; idx++) if (!(sys.kernel.km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE)) live.push(sys.kernel.km.proc(idx, PROC.endpoint));
  wr32(rs, RS_TABLE + RS_HDR.checkTicks, 1 + ((rng() * 5) | 0));
  wr32(rs, RS_TABLE + RS_HDR.backoffUnit, (rng() * 3) | 0);
  for (let i = 0; i < NR_RS_SERVICES; i++) {
    const o = slotOff(i);
    wr32(rs, o + RP.flags, RP_IN_USE | (rng() < 0.7 ? RP_RESTART : 0));
    wr32(rs, o + RP.status, (rng() * 4) | 0);
    wr32(rs, o + RP.endpoint, live[(rng() * live.length) | 0]);
    wr32(rs, o + RP.period, (rng() * 10) | 0);
    wr32(rs, o + RP.restartAt, (rng() * 50) | 0);
    const e = entryAt(i);
    wr32(rs, e + SE.programKind, SE_GUEST);
    wrStr(rs, e + SE.program, SE_PROGRAM_LEN, "at_wini");
    wrStr(rs, e + SE.label, SE_LABEL_LEN, `g${i}`);
    wr32(rs, e + SE.role, (rng() * 3) | 0);
    wr32(rs, e + SE.priority, (rng() * 16) | 0);
  }
}

describe("garbage in DS's and RS's tables", () => {
  it.each([1, 2, 3, 4, 5, 6])("seed %i: the system runs on, the driver crashes, nothing throws on the host", (seed) => {
    for (const mode of ["random", "plausible"] as const) {
      const rng = seedrandom(`garbage-${seed}-${mode}`);
      const { sys, params } = boot("minix3", blocksWorkload);
      const ds = nativeRegion(sys.kernel, "ds")!;
      const rs = nativeRegion(sys.kernel, "rs")!;
      fill(ds, DS_TABLE, DS_END, rng);
      fill(rs, RS_TABLE, RS_END, rng);
      if (mode === "plausible") plausible(sys, rs, rng);
      patchRunning(sys, "at_wini", "at_transfer", [ILLEGAL]);
      const obs = runWorkload(sys, blocksWorkload, params, { budgetCycles: 600_000_000, watchdogCycles: 200_000_000 });
      sys.run(200_000_000);
      expect(["completed", "stalled", "budget", "panic"]).toContain(obs.end);
      expect(sys.kernel.state.events.some((e) => e.label === "at_wini" && e.kind === "crash")).toBe(true);
      // With plausible garbage RS acted on it (pinged, killed, restarted what its slots say), and logged it.
      if (mode === "plausible") expect(sys.nativeState<RsState>("rs")!.events.length).toBeGreaterThan(0);
      const dsNow = nativeRegion(sys.kernel, "ds");
      const rsNow = nativeRegion(sys.kernel, "rs");
      if (dsNow) {
        expect(dsEntries(dsNow).length).toBeLessThanOrEqual(NR_DS_KEYS);
        expect(dsSubscriptions(dsNow).every((s) => s.prefixes.length <= 4)).toBe(true);
      }
      if (rsNow) expect(rsServices(rsNow).length).toBeLessThanOrEqual(NR_RS_SERVICES);
    }
  });

  it("a service-entry record of random bytes decodes to an entry within the record's limits, or an error", () => {
    const rng = seedrandom("records");
    const t = new Uint8Array(SE_SIZE);
    let entries = 0;
    for (let n = 0; n < 3000; n++) {
      fill(t, 0, SE_SIZE, rng);
      // Half the records get plausible kinds, roles and priorities, so decoding goes past its first checks.
      if (n & 1) for (const [at, v] of [[16, 1 + (n & 2 ? 1 : 0)], [52, n % 3], [56, n % 16], [260, 0]]) t.set([v, 0, 0, 0], at);
      if (n & 1) t.set([0x61, 0], 0), t.set([0x62, 0], 20); // label "a", program "b"
      const d = decodeService(t, 0);
      if (!d.ok) {
        expect(d.error).toMatch(/^corrupt service entry: /);
        continue;
      }
      entries++;
      expect(d.conf.ipcTo.length).toBeLessThanOrEqual(8);
      expect(d.conf.io.length).toBeLessThanOrEqual(8);
      expect(d.conf.irqs.length).toBeLessThanOrEqual(4);
      expect(d.conf.priority).toBeLessThan(16);
      expect(d.conf.io.every(([a, b]) => a >= 0 && a <= 0xffff && b >= 0 && b <= 0xffff)).toBe(true);
    }
    expect(entries).toBeGreaterThan(1000);
  });
});
