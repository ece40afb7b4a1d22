// Composition is data: a system gets a new device class, its driver and a workload that needs it
// from entries alone — no change to compose.ts, the catalog, the machine or the kernel — and a
// campaign's system can hold more than one driver. The stub device, its native driver and the
// workload are defined here, as a new class would be in its own folders.
import { describe, expect, it } from "vitest";
import { BUILDS } from "../../system/builds/index.js";
import { composeSystem } from "../../system/compose.js";
import type { DriverEntry } from "../../system/drivers/catalog.js";
import { DS_DRIVER_UP, DS_PUBLISH, DSF_OVERWRITE, MSG, NOTIFY_MESSAGE } from "../../system/kernel/abi.js";
import { get32, msgSource, msgType, newMessage, set32, setString } from "../../system/kernel/message.js";
import type { NativeProgram } from "../../system/kernel/native.js";
import { PRIV } from "../../system/kernel/layout.js";
import { DRIVER_Q, USER_Q } from "../../system/kernel/params.js";
import type { AccessSize, Device, Region } from "../../system/machine/device.js";
import { runWorkload } from "../../system/run.js";
import { dsLookup } from "../../system/servers/ds-table.js";
import { nativeRegion } from "../../system/servers/region.js";
import { rsServices } from "../../system/servers/rs/table.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import type { Workload } from "../../system/workloads/workload.js";
import { procIndex } from "../support/system.js";

const STUB_PORT = 0x300;
const PING = 0x7100;
const PONG = 0x7101;

/** A device with one port (reads 0x5a) and no state: what matters here is that composition plugs it in. */
class StubDevice implements Device {
  readonly name = "stub";
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [{ base: STUB_PORT, size: 1 }];
  readonly state = {};
  portRead(_port: number, _size: AccessSize): number {
    return 0x5a;
  }
  reset(): void {}
  snapshot(): unknown {
    return {};
  }
  restore(): void {}
}

/** Its driver (native): announces itself under its class's key, answers RS's pings and the workload's PING. */
const stubDriver: NativeProgram<{ served: number }> = {
  init: () => ({ served: 0 }),
  start(k) {
    const m = newMessage(DS_PUBLISH, { [MSG.ds.value]: DS_DRIVER_UP, [MSG.ds.flags]: DSF_OVERWRITE });
    setString(m, MSG.ds.key, MSG.ds.keyLen, `drv.stub.${k.label}`);
    k.send(k.lookup("ds")!, m);
  },
  receive(k, m) {
    if (msgType(m) === NOTIFY_MESSAGE) return void k.notify(msgSource(m)); // heartbeat
    if (msgType(m) !== PING) return;
    k.state.served++;
    k.send(msgSource(m), newMessage(PONG, { 8: get32(m, 8) + 1 }));
  },
};

const stubEntry: DriverEntry = {
  name: "stubdrv", description: "a stub driver for tests", class: "stub", device: "stub", handlers: [],
  service: { label: "stubdrv", program: { native: "stubdrv" }, role: "driver", priority: DRIVER_Q, ipcTo: ["rs", "ds"], kernelCalls: [], io: [[STUB_PORT, STUB_PORT]], irqs: [], params: "" },
};

/** A workload of the new class: sends `n` PINGs to the first stub driver and checks the answers. */
const pinger: Workload<{ driver: string; sent: number; ok: number; done: boolean }> = {
  name: "pinger",
  description: "pings a stub driver",
  program: {
    init: (_l, params) => ({ driver: /driver=(\S+)/.exec(params)![1], sent: 0, ok: 0, done: false }),
    start: (k) => void k.sendrec(k.lookup(k.state.driver)!, newMessage(PING, { 8: 0 })),
    receive(k, m) {
      if (msgType(m) !== PONG) return;
      if (get32(m, 8) === k.state.sent + 1) k.state.ok++;
      if (++k.state.sent === 3) return void (k.state.done = true);
      const next = newMessage(PING);
      set32(next, 8, k.state.sent);
      k.sendrec(k.lookup(k.state.driver)!, next);
    },
  },
  service: { label: "pinger", program: { native: "pinger" }, role: "user", priority: USER_Q, ipcTo: ["ds"], kernelCalls: [], io: [], irqs: [] },
  servers: [],
  drivers: ["stub"],
  params: (_seed, drivers) => `driver=${drivers.stub[0]}`,
  progress: (s) => s.sent,
  done: (s) => s.done,
  judge: (_p, s) => (s?.done && s.ok === 3 ? { verdict: "pass", summary: "3 pongs", details: {} } : { verdict: "incomplete", summary: "no", details: {} }),
};

const stubOptions = { natives: { stubdrv: stubDriver }, peripherals: { stub: () => () => new StubDevice() } };
const limits = { budgetCycles: 500_000_000, watchdogCycles: 200_000_000 };

describe("composition from data", () => {
  it("a new device class: its device on the machine, its driver started by RS and announced, a workload served by it", () => {
    const c = composeSystem(BUILDS.minix3, pinger, { ...stubOptions, drivers: [{ driver: "stubdrv", entry: stubEntry }] });
    if (!c.ok) throw new Error(c.error);
    const sys = c.system;
    expect(c.drivers).toEqual({ stub: ["stubdrv"] });
    expect(sys.machine.device("stub")).toBeInstanceOf(StubDevice);
    expect(sys.machine.device("ata")).toBeUndefined(); // no driver needs a disk: the machine has none
    expect(dsLookup(nativeRegion(sys.kernel, "ds")!, "drv.stub.stubdrv")).toMatchObject({ value: DS_DRIVER_UP, owner: "stubdrv" });
    // RS started it with the entry's privileges, and the workload may call it.
    const km = sys.kernel.km;
    const drv = procIndex(sys, "stubdrv"), pingerIdx = procIndex(sys, "pinger");
    expect(km.priv(drv, PRIV.nrIoRange)).toBe(1);
    expect(km.priv(drv, PRIV.ioTab)).toBe(STUB_PORT | (STUB_PORT << 16));
    const sendsTo = (idx: number) => ["rs", "ds", "pinger", "stubdrv"].filter((l) => km.privBit(idx, PRIV.ipcTo, procIndex(sys, l)));
    expect(sendsTo(drv)).toEqual(["rs", "ds", "pinger"]);
    expect(sendsTo(pingerIdx)).toEqual(["ds", "stubdrv"]);
    const obs = runWorkload(sys, pinger, c.params, { ...limits, watch: "stubdrv" });
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
    expect(sys.nativeState<{ served: number }>("stubdrv")!.served).toBe(3);
    expect(obs.driver).toMatchObject({ label: "stubdrv", alive: true, deaths: [] });
  });

  it("two drivers of two classes in one system: the files workload passes while RS keeps both", () => {
    const c = composeSystem(BUILDS.minix3, filesWorkload, { ...stubOptions, drivers: [{ driver: "at_wini" }, { driver: "stubdrv", entry: stubEntry }] });
    if (!c.ok) throw new Error(c.error);
    expect(c.drivers).toEqual({ block: ["at_wini"], stub: ["stubdrv"] });
    const rs = rsServices(nativeRegion(c.system.kernel, "rs")!);
    expect(rs.map((s) => [s.label, s.status])).toEqual([["at_wini", "up"], ["stubdrv", "up"]]);
    const obs = runWorkload(c.system, filesWorkload, c.params, { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 });
    expect(obs.oracle.verdict).toBe("pass");
  });

  it("says what is missing: a class with no driver, an unknown driver, a device the machine lacks", () => {
    const noStub = composeSystem(BUILDS.minix3, pinger, { drivers: [{ driver: "at_wini" }] });
    expect(noStub).toEqual({ ok: false, error: "workload pinger needs a stub driver; none is in the system" });
    expect(composeSystem(BUILDS.minix3, filesWorkload, { drivers: [{ driver: "nosuch" }] })).toMatchObject({ ok: false, error: 'no driver "nosuch" (known: at_wini, es1371, printer, rtl8139)' });
    expect(composeSystem(BUILDS.minix3, pinger, { drivers: [{ driver: "stubdrv", entry: stubEntry }] })).toEqual({
      ok: false, error: 'driver stubdrv drives a "stub" device, which the machine does not have',
    });
  });
});
