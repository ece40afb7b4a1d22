// Propagation through the kernel's copies, on the real system (VFS, at_wini, the files workload):
// a write the kernel makes at an address a process chose is that process's write. at_wini's
// SAFECOPYTO with an offset past VFS's grant is, in monolithic (grants not checked), a write by
// at_wini into VFS's buffer cache — recorded with VFS as the page's owner — while minix3's grant
// check refuses the same request and nothing is written or recorded; the driver's legitimate
// copies into VFS's grants are not counted. A wild receive buffer is the receiver's write, not
// the sender's. Faults are made for real: a register of the driver is changed at the entry of a
// libsys call, as a corrupted argument would arrive there.
import { describe, expect, it } from "vitest";
import { EFAULT, EPERM, GRANT_ENTRY_SIZE, M_SOURCE } from "../../system/kernel/abi.js";
import { PROC } from "../../system/kernel/layout.js";
import { NATIVE_GRANTS } from "../../system/kernel/native.js";
import { findSymbol, parseElf } from "../../system/machine/elf.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { runWorkload, type Observations } from "../../system/run.js";
import type { System } from "../../system/system.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex } from "../support/system.js";

const LIMITS = { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000, watch: "at_wini" };
const PAGE = 4096;

/** Physical [base, size) of the memory of live process `label`. */
function memoryOf(sys: System, label: string): [number, number] {
  const idx = procIndex(sys, label);
  return [sys.kernel.km.proc(idx, PROC.memBase) >>> 0, sys.kernel.km.proc(idx, PROC.memSize) >>> 0];
}

const ramAt = (sys: System, pa: number, len: number): Uint8Array => sys.machine.bus.ram.slice(pa - RAM_BASE, pa - RAM_BASE + len);

/** Physical address of at_wini's virtual address va. */
function driverPa(sys: System, va: number): number {
  const pa = sys.translate("at_wini", va);
  if (pa === undefined) throw new Error(`0x${va.toString(16)} not mapped in at_wini`);
  return pa;
}

/** What a watched call of at_wini did: each call's arguments a0..a4 at entry and a0 at return. */
interface Call {
  args: number[];
  result?: number;
}

/** Hooks at the entry (before the arguments are recorded) and the return of the n-th watched call (default: the first). */
interface NthCall {
  n?: number;
  entry?: (x: Int32Array, sys: System) => void;
  exit?: (x: Int32Array, sys: System) => void;
}

/**
 * Runs the files workload while watching at_wini's calls of libsys function `fn`: each call's
 * arguments (as the callee gets them) and result are recorded; `hook.entry` may change the
 * registers (a corrupted argument) at the entry of the n-th call, `hook.exit` look at its
 * return. Returns the observations and the calls.
 */
function runWatching(sys: System, params: string, fn: string, hook: NthCall = {}): { obs: Observations; calls: Call[] } {
  const parsed = parseElf(sys.images.at_wini);
  if (!parsed.ok) throw new Error(parsed.error);
  const entry = driverPa(sys, findSymbol(parsed.elf, fn)!.value);
  const cpu = sys.machine.cpu;
  const calls: Call[] = [];
  const nth = hook.n ?? 1;
  let inCall = false; // the breakpoint armed: false = at the entry, true = at the return address
  const watchEntry = () => cpu.setBreakpoints([{ pa: entry, stopAt: 1 }]);
  watchEntry();
  const obs = runWorkload(sys, filesWorkload, params, {
    ...LIMITS,
    onBreakpoint: () => {
      inCall = !inCall;
      if (inCall) {
        if (calls.length === nth - 1) hook.entry?.(cpu.x, sys);
        calls.push({ args: Array.from(cpu.x.subarray(10, 15)) });
        cpu.setBreakpoints([{ pa: driverPa(sys, cpu.x[1] >>> 0), stopAt: 1 }]);
      } else {
        calls[calls.length - 1].result = cpu.x[10];
        if (calls.length === nth) hook.exit?.(cpu.x, sys);
        watchEntry();
      }
    },
  });
  cpu.setBreakpoints([]);
  return { obs, calls };
}

/** Virtual start and length of grant `id` in VFS's grant table. */
function vfsGrant(sys: System, id: number): { start: number; len: number } {
  const [base] = memoryOf(sys, "vfs");
  const view = new DataView(sys.machine.bus.ram.buffer, sys.machine.bus.ram.byteOffset);
  const at = base - RAM_BASE + NATIVE_GRANTS + id * GRANT_ENTRY_SIZE;
  return { start: view.getUint32(at + 8, true), len: view.getUint32(at + 12, true) };
}

describe("a driver's SAFECOPYTO past the end of VFS's grant", () => {
  /**
   * The first SAFECOPYTO of at_wini gets offset = the grant's length (a2 := 4096): the block
   * goes to the 4 KiB after the granted cache buffer. Returns what happened, plus the bytes the
   * driver meant to copy (its at_buf then), VFS's memory and the grant.
   */
  function overrun(build: string) {
    const { sys, params } = boot(build, filesWorkload);
    let sent: Uint8Array = new Uint8Array(0);
    let grant = { start: 0, len: 0 };
    const { obs, calls } = runWatching(sys, params, "sys_safecopyto", {
      entry: (x, s) => {
        grant = vfsGrant(s, x[11]);
        x[12] = grant.len;
        sent = ramAt(s, driverPa(s, x[13] >>> 0), x[14]);
      },
    });
    const [vfsBase, vfsSize] = memoryOf(sys, "vfs");
    return { sys, obs, calls, sent, grant, vfsBase, vfsSize, past: vfsBase + grant.start + grant.len };
  }

  it("monolithic: the kernel trusts the offset; the block lands in VFS's next cache buffer, a foreign write of the driver's domain with VFS as owner", () => {
    const { sys, obs, calls, sent, grant, vfsBase, vfsSize, past } = overrun("monolithic");
    expect(calls[0].args[2]).toBe(grant.len); // the fault: offset 4096 of a 4096-byte grant
    expect(grant.len).toBe(PAGE);
    expect(calls[0].result).toBe(0); // OK: nothing checked the offset
    expect(sent.length).toBe(PAGE);
    expect(past + PAGE).toBeLessThanOrEqual(vfsBase + vfsSize); // still VFS's memory
    expect(ramAt(sys, past, PAGE)).toEqual(sent);
    const domain = sys.domainOf("at_wini")!;
    expect(obs.driver!.propagation).toMatchObject({ writes: 1, firstPa: past, owner: sys.domainOf("vfs") });
    expect(Object.keys(sys.machine.cpu.foreign)).toEqual([String(domain)]);
    expect(obs.driver!.denials).toEqual([]);
  });

  it("minix3: the grant check refuses the copy (EPERM), recorded as a grant denial; nothing is written past the grant and no propagation", () => {
    const { sys, obs, calls, sent, grant, past } = overrun("minix3");
    expect(calls[0].args[2]).toBe(grant.len);
    expect(calls[0].result).toBe(-EPERM);
    expect(sent.length).toBe(PAGE);
    expect(ramAt(sys, past, PAGE)).not.toEqual(sent);
    expect(obs.driver!.propagation).toBeUndefined();
    expect(sys.machine.cpu.foreign).toEqual({});
    expect(obs.driver!.denials.map((d) => d.kind)).toEqual(["grant"]);
  });

  it("nooks: the wrapper refuses the copy and fails the driver (not a privilege denial); nothing lands past the grant; the recovery manager reloads it", () => {
    const { sys, obs, calls, sent, grant, past } = overrun("nooks");
    expect(calls[0].args[2]).toBe(grant.len);
    expect(sent.length).toBe(PAGE);
    expect(ramAt(sys, past, PAGE)).not.toEqual(sent);
    expect(obs.driver!.propagation).toBeUndefined();
    expect(obs.driver!.denials).toEqual([]);
    expect(obs.driver!.deaths.map((d) => [d.kind, d.detail])).toEqual([
      ["crash", `wrapper check failed: grant ${calls[0].args[1]}: offset ${grant.len} + ${PAGE} bytes past its ${grant.len}`],
    ]);
    expect(obs.driver!.rsEvents.filter((e) => e.at >= 0).map((e) => e.kind)).toEqual(expect.arrayContaining(["crash", "restart", "up"]));
    expect(obs.driver!.alive).toBe(true);
    expect(obs.panic).toBeUndefined();
  });

  it.each(["monolithic", "minix3", "nooks"])("%s: the driver's copies into the granted buffers are legitimate and not counted", (build) => {
    const { sys, params } = boot(build, filesWorkload);
    let sent: Uint8Array = new Uint8Array(0), at = 0, landed: Uint8Array = new Uint8Array(0);
    const { obs, calls } = runWatching(sys, params, "sys_safecopyto", {
      entry: (x, s) => {
        sent = ramAt(s, driverPa(s, x[13] >>> 0), x[14]);
        at = memoryOf(s, "vfs")[0] + vfsGrant(s, x[11]).start;
      },
      exit: (_x, s) => {
        landed = ramAt(s, at, sent.length);
      },
    });
    expect(obs.end).toBe("completed");
    expect(obs.oracle.verdict).toBe("pass");
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every((c) => c.result === 0)).toBe(true);
    // The first block really went into VFS's granted buffer, through the kernel.
    expect(sent.length).toBe(PAGE);
    expect(landed).toEqual(sent);
    expect(obs.driver!.propagation).toBeUndefined();
    expect(sys.machine.cpu.foreign).toEqual({});
  });
});

describe("a driver's wild receive buffer", () => {
  // at_wini's second ipc_receive (after its first interrupt) is its main loop's, which gets VFS's next request.
  const MAIN_LOOP_RECEIVE = 2;

  /** Boots `build`, points that receive's buffer into the last page of RS's memory, runs the workload. */
  function wildReceive(build: string) {
    const { sys, params } = boot(build, filesWorkload);
    const [rsBase, rsSize] = memoryOf(sys, "rs");
    const target = rsBase + rsSize - PAGE; // monolithic drivers see all of RAM at its physical address
    const before = ramAt(sys, target, 64);
    const { obs, calls } = runWatching(sys, params, "ipc_receive", { n: MAIN_LOOP_RECEIVE, entry: (x) => void (x[11] = target) });
    return { sys, obs, call: calls[MAIN_LOOP_RECEIVE - 1], target, before };
  }

  it("monolithic: the message VFS sends lands in RS's memory; the write is the receiver's (at_wini), not the sender's", () => {
    const { sys, obs, call, target, before } = wildReceive("monolithic");
    expect(call.args[1] >>> 0).toBe(target);
    expect(call.result).toBe(0);
    const landed = ramAt(sys, target, 64);
    expect(landed).not.toEqual(before);
    expect(new DataView(landed.buffer).getInt32(M_SOURCE, true)).toBe(sys.kernel.lookupLabel("vfs")); // VFS sent it
    expect(obs.driver!.propagation).toMatchObject({ writes: 1, firstPa: target, owner: sys.domainOf("rs") });
    expect(Object.keys(sys.machine.cpu.foreign)).toEqual([String(sys.domainOf("at_wini"))]);
  });

  it("minix3: the same pointer is not mapped for the driver: EFAULT, nothing written or recorded", () => {
    const { sys, call, target, before } = wildReceive("minix3");
    expect(call.args[1] >>> 0).toBe(target);
    expect(call.result).toBe(-EFAULT);
    expect(ramAt(sys, target, 64)).toEqual(before);
    expect(sys.machine.cpu.foreign).toEqual({});
  });
});
