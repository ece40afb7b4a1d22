/*
 * A driver in a kernel address space sits among kernel objects (kernel/module-layout.ts): the
 * pages around its image are the memory that really lies around it, so a pointer off by a page
 * or an overrun reaches VFS's buffer cache below the text and the workload's memory above the
 * bss. In minix3 the same addresses are unmapped. Translations go through the driver's own page
 * table, as its loads and stores do.
 */
import { describe, expect, it } from "vitest";
import { DRIVER_STACK_SIZE, DRIVER_STACK_TOP, DRIVER_TEXT_BASE } from "../../system/kernel/abi.js";
import { PROC } from "../../system/kernel/layout.js";
import { procTranslate } from "../../system/kernel/vm.js";
import { runWorkload } from "../../system/run.js";
import { filesWorkload } from "../../system/workloads/files-oracle.js";
import { boot, procIndex } from "../support/system.js";

const PAGE = 4096;
const STACK_BOTTOM = DRIVER_STACK_TOP - DRIVER_STACK_SIZE;

function layout(build: string) {
  const { sys, params } = boot(build, filesWorkload);
  const km = sys.kernel.km;
  const drv = procIndex(sys, "at_wini");
  const at = (va: number) => procTranslate(km, drv, va, true);
  const region = (label: string) => {
    const i = procIndex(sys, label);
    return { base: km.proc(i, PROC.memBase) >>> 0, size: km.proc(i, PROC.memSize) >>> 0 };
  };
  return { sys, params, km, drv, at, region, image: km.proc(drv, PROC.memSize) >>> 0 };
}

describe("a driver's memory among kernel objects", () => {
  it("monolithic: the page below the text is VFS's last buffer; the page after the bss is the workload's memory", () => {
    const { at, region, image, sys, params } = layout("monolithic");
    const vfs = region("vfs");
    expect(at(DRIVER_TEXT_BASE - PAGE)).toBe(vfs.base + vfs.size - PAGE);
    runWorkload(sys, filesWorkload, params, { budgetCycles: 10_000_000, watchdogCycles: 10_000_000 }); // the workload exists once it ran
    expect(at(DRIVER_TEXT_BASE + image)).toBe(region("files").base);
  });

  it("monolithic: the stack lies at the window's top, linear with the image, with a guard page below it", () => {
    const { at, km, drv } = layout("monolithic");
    const base = km.proc(drv, PROC.memBase) >>> 0;
    expect(km.proc(drv, PROC.stackBase) >>> 0).toBe(base + (STACK_BOTTOM - DRIVER_TEXT_BASE));
    expect(at(STACK_BOTTOM)).toBe(base + (STACK_BOTTOM - DRIVER_TEXT_BASE));
    expect(at(STACK_BOTTOM - PAGE)).toBe(-1);
  });

  it("monolithic-nochecks: no guard page, the stack grows into the kernel heap below it", () => {
    const { at, km, drv } = layout("monolithic-nochecks");
    const base = km.proc(drv, PROC.memBase) >>> 0;
    expect(at(STACK_BOTTOM - PAGE)).toBe(base + (STACK_BOTTOM - PAGE - DRIVER_TEXT_BASE));
  });

  it("minix3: nothing but the image and the stack is mapped", () => {
    const { at, image } = layout("minix3");
    expect(at(DRIVER_TEXT_BASE - PAGE)).toBe(-1);
    expect(at(DRIVER_TEXT_BASE + image - DRIVER_STACK_SIZE)).toBe(-1);
    expect(at(STACK_BOTTOM - PAGE)).toBe(-1);
    expect(at(STACK_BOTTOM)).toBeGreaterThan(0);
  });

  it("both builds boot and pass the files workload", () => {
    for (const build of ["monolithic", "monolithic-nochecks", "minix3"]) {
      const { sys, params } = layout(build);
      expect(runWorkload(sys, filesWorkload, params, { budgetCycles: 3_000_000_000, watchdogCycles: 300_000_000 }).oracle.verdict).toBe("pass");
    }
  });
});
