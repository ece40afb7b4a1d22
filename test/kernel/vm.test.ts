// The kernel's checks of a process's buffers (vm.ts accessible, behind Kernel.readable/writable)
// on addresses at and above 2^31, where monolithic drivers see all of RAM: a mapped buffer there
// is accessible, an unmapped one is not, and a buffer across a page boundary is checked page by page.
import { describe, expect, it } from "vitest";
import { PROC } from "../../system/kernel/layout.js";
import { RAM_BASE } from "../../system/machine/memmap.js";
import { blocksWorkload } from "../../system/workloads/blockclient.js";
import { boot, procIndex } from "../support/system.js";

describe("accessible(): buffers above 2^31", () => {
  it("monolithic: RAM (mapped 1:1 into drivers) is writable by a driver; past RAM's end it is not", () => {
    const { sys } = boot("monolithic", blocksWorkload);
    const k = sys.kernel;
    const at = procIndex(sys, "at_wini");
    const rs = procIndex(sys, "rs");
    const rsBase = k.km.proc(rs, PROC.memBase) >>> 0;
    expect(RAM_BASE).toBeGreaterThanOrEqual(2 ** 31);
    expect(k.writable(at, rsBase, 64)).toBe(true);
    expect(k.writable(at, rsBase + 4096 - 32, 64)).toBe(true); // two pages
    const end = RAM_BASE + sys.machine.bus.ramSize;
    expect(k.readable(at, end - 32, 64)).toBe(false); // the second page is past RAM
    expect(k.readable(at, end - 64, 64)).toBe(true);
  });

  it("minix3: the same RAM is not mapped for the driver", () => {
    const { sys } = boot("minix3", blocksWorkload);
    const rsBase = sys.kernel.km.proc(procIndex(sys, "rs"), PROC.memBase) >>> 0;
    expect(sys.kernel.writable(procIndex(sys, "at_wini"), rsBase, 64)).toBe(false);
  });
});
