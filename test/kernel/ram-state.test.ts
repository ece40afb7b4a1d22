/*
 * The kernel's own state is in guest RAM and the kernel decides from what RAM says: a woken
 * process gets the priority in its table entry, the allocator hands out the memory its free
 * list and bump pointer name, IPC masks come from the labels in RAM. Each test corrupts the
 * bytes a wild write could reach and checks the consequence against the same system untouched.
 */
import { describe, expect, it } from "vitest";
import { ALLOC, PROC } from "../../system/kernel/layout.js";
import { ALLOC_OFF, ASYNCQ_OFF, DRIVER_Q, RUNQ_OFF, SVC_OFF, USER_Q } from "../../system/kernel/params.js";
import { runWorkload } from "../../system/run.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex } from "../support/system.js";

const limits = { budgetCycles: 600_000_000, watchdogCycles: 200_000_000 };

describe("kernel state in guest RAM", () => {
  it("a woken process returns to the priority its table entry holds", () => {
    const run = (corrupt: boolean) => {
      const { sys, params } = boot("minix3", filesWorkload);
      const drv = procIndex(sys, "at_wini");
      if (corrupt) sys.kernel.km.setProc(drv, PROC.maxPriority, USER_Q + 1);
      runWorkload(sys, filesWorkload, params, limits);
      return sys.kernel.km.proc(drv, PROC.priority);
    };
    expect(run(false)).toBe(DRIVER_Q);
    expect(run(true)).toBe(USER_Q + 1);
  });

  it("a restarted driver gets the memory the allocator's state in RAM names, even another process's", () => {
    const { sys } = boot("minix3", filesWorkload);
    const km = sys.kernel.km;
    const vfs = procIndex(sys, "vfs");
    const vfsBase = km.proc(vfs, PROC.memBase) >>> 0;
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test");
    // Before RS restarts it, a wild write sets the bump pointer back into VFS's memory and empties the free list.
    km.setWord(ALLOC_OFF + ALLOC.memNext, vfsBase);
    km.setWord(ALLOC_OFF + ALLOC.memFreeCount, 0);
    const killedAt = sys.kernel.state.events.length;
    sys.run(20_000_000);
    // RS restarted it into VFS's memory: VFS's next message to its own inbox overwrote the new
    // driver's code, which then crashed on what VFS wrote there.
    const after = sys.kernel.state.events.slice(killedAt).filter((e) => e.label === "at_wini");
    expect(after[0].kind).toBe("start");
    expect(after[1]).toMatchObject({ kind: "crash", detail: expect.stringContaining("illegal instruction") });
  });

  it("an untouched system with the same kill recovers and passes", () => {
    const { sys, params } = boot("minix3", filesWorkload);
    sys.kernel.terminate(procIndex(sys, "at_wini"), "killed", "test");
    sys.run(20_000_000);
    expect(runWorkload(sys, filesWorkload, params, limits).oracle.verdict).toBe("pass");
  });

  it("garbage over every kernel queue, allocator and label table never throws on the host", () => {
    for (const [from, to] of [[ALLOC_OFF, RUNQ_OFF], [RUNQ_OFF, ASYNCQ_OFF], [ASYNCQ_OFF, SVC_OFF], [SVC_OFF, 0xf400]]) {
      const { sys, params } = boot("minix3", filesWorkload);
      let x = 0x1234_5678;
      for (let off = from; off < to; off += 4) {
        x = (Math.imul(x, 1_103_515_245) + 12_345) | 0; // a fixed sequence, no Math.random
        sys.kernel.km.setWord(off, x);
      }
      // What the corrupt kernel then does is open (a panic, a stall, ...); the host must not throw.
      expect(() => runWorkload(sys, filesWorkload, params, limits)).not.toThrow();
    }
  });
});
