// The hart on the real machine: traps with cause and tval, delegation, interrupts, WFI, hosted
// mode, counters. Instruction semantics are covered by the ISA suite (isa.test.ts).
import { describe, expect, it } from "vitest";
import { CSR, MIP_MTIP, MIP_SSIP, MSTATUS_MIE, MSTATUS_SIE } from "../../system/machine/csr.js";
import { Machine } from "../../system/machine/machine.js";
import { CLINT_BASE, RAM_BASE } from "../../system/machine/memmap.js";
import { Access } from "../../system/machine/mmu.js";
import { Cause, Irq, Mode } from "../../system/machine/trap.js";
import { asm, words } from "./asm.js";

const HANDLER = RAM_BASE + 0x1000;

/** A machine with `code` at RAM_BASE, a guest trap handler at HANDLER that spins (j .). */
function machine(code: number[], hosted = false): Machine {
  const m = new Machine({ ramSize: 1 << 20, hosted });
  m.load(RAM_BASE, words(code));
  m.load(HANDLER, words([asm.jal(0, 0)]));
  m.cpu.reset(RAM_BASE);
  m.cpu.csr.mtvec = HANDLER;
  m.cpu.csr.stvec = HANDLER;
  return m;
}

describe("traps", () => {
  const cases: Array<[string, number[], number, (m: Machine) => number]> = [
    ["illegal instruction: tval is the instruction", [0xffffffff], Cause.IllegalInsn, () => 0xffffffff | 0],
    ["illegal: shamt bit 5 on RV32", [0x02051513], Cause.IllegalInsn, () => 0x02051513],
    ["misaligned load: tval is the address", [asm.addi(1, 0, 0x101), asm.lw(2, 1, 0)], Cause.LoadMisaligned, () => 0x101],
    ["misaligned store", [asm.addi(1, 0, 0x102), asm.sw(2, 1, 0)], Cause.StoreMisaligned, () => 0x102],
    ["load access fault at unmapped physical address", [asm.addi(1, 0, 0x100), asm.lw(2, 1, 0)], Cause.LoadAccessFault, () => 0x100],
    ["store access fault", [asm.addi(1, 0, 0x100), asm.sw(2, 1, 0)], Cause.StoreAccessFault, () => 0x100],
    ["misaligned jump target is reported on the jump", [asm.jal(1, 6)], Cause.InsnMisaligned, () => RAM_BASE + 6],
    ["ecall from M", [asm.ecall()], Cause.EcallM, () => 0],
    ["ebreak: tval is pc", [asm.nop(), asm.ebreak()], Cause.Breakpoint, () => RAM_BASE + 4],
    ["CSR write to a read-only CSR", [asm.csrrw(0, CSR.mhartid, 1)], Cause.IllegalInsn, () => asm.csrrw(0, CSR.mhartid, 1) | 0],
  ];
  for (const [name, code, cause, tval] of cases)
    it(name, () => {
      const m = machine(code);
      m.run(200);
      expect(m.cpu.pc).toBe(HANDLER | 0);
      expect(m.cpu.csr.mcause).toBe(cause);
      expect(m.cpu.csr.mtval).toBe(tval(m) | 0);
      if (code[0] === asm.jal(1, 6)) expect(m.cpu.x[1]).toBe(0); // a faulting jal writes no link
    });

  it("instruction access fault when executing outside RAM", () => {
    const m = machine([asm.jal(0, 0)]);
    m.cpu.pc = 0x1000;
    m.run(100);
    expect(m.cpu.csr.mcause).toBe(Cause.InsnAccessFault);
    expect(m.cpu.csr.mepc).toBe(0x1000);
  });

  it("delegates ecall from U to S (medeleg) with sepc, SPP and SPIE", () => {
    const m = machine([asm.ecall()]);
    m.cpu.csr.medeleg = 1 << Cause.EcallU;
    m.cpu.csr.mstatus = MSTATUS_SIE;
    m.cpu.setMode(Mode.U);
    m.run(100);
    expect(m.cpu.mode).toBe(Mode.S);
    expect(m.cpu.csr.scause).toBe(Cause.EcallU);
    expect(m.cpu.csr.sepc).toBe(RAM_BASE | 0);
    expect(m.cpu.csr.mstatus & (1 << 8)).toBe(0); // SPP = U
    expect(m.cpu.csr.mstatus & (1 << 5)).not.toBe(0); // SPIE = old SIE
    expect(m.cpu.csr.mcause).toBe(0);
  });

  it("never delegates traps taken in M-mode", () => {
    const m = machine([asm.ecall()]);
    m.cpu.csr.medeleg = 0xb3ff;
    m.run(100);
    expect(m.cpu.mode).toBe(Mode.M);
    expect(m.cpu.csr.mcause).toBe(Cause.EcallM);
  });

  it("U-mode may not read M CSRs or execute mret/sret/wfi", () => {
    for (const insn of [asm.csrrs(1, CSR.mstatus, 0), asm.mret(), asm.sret(), asm.wfi()]) {
      const m = machine([insn]);
      m.cpu.setMode(Mode.U);
      m.run(100);
      expect(m.cpu.csr.mcause).toBe(Cause.IllegalInsn);
      expect(m.cpu.csr.mtval).toBe(insn | 0);
    }
  });
});

describe("interrupts", () => {
  it("takes the CLINT timer interrupt at mtimecmp, with the interrupt bit in mcause", () => {
    const m = machine([asm.jal(0, 0)]);
    m.clint.setTimecmp(100); // mtime ticks every 10 cycles: fires at cycle 1000
    m.cpu.csr.mie = MIP_MTIP;
    m.cpu.csr.mstatus = MSTATUS_MIE;
    m.run(999);
    expect(m.cpu.pc).toBe(RAM_BASE | 0);
    m.run(1100);
    expect(m.cpu.csr.mcause >>> 0).toBe(0x8000_0007);
    expect(m.cpu.pc).toBe(HANDLER | 0);
  });

  it("vectored mtvec sends interrupt n to base + 4n", () => {
    const m = machine([asm.jal(0, 0)]);
    m.load(HANDLER + 4 * Irq.MTI, words([asm.jal(0, 0)]));
    m.cpu.csr.mtvec = HANDLER | 1;
    m.clint.setTimecmp(0);
    m.cpu.csr.mie = MIP_MTIP;
    m.cpu.csr.mstatus = MSTATUS_MIE;
    m.run(50);
    expect(m.cpu.pc).toBe((HANDLER + 4 * Irq.MTI) | 0);
  });

  it("does not take M interrupts in M-mode with MIE clear, but always below M", () => {
    const m = machine([asm.jal(0, 0)]);
    m.clint.setTimecmp(0);
    m.cpu.csr.mie = MIP_MTIP;
    m.run(50);
    expect(m.cpu.pc).toBe(RAM_BASE | 0);
    m.cpu.setMode(Mode.S);
    m.run(100);
    expect(m.cpu.mode).toBe(Mode.M);
    expect(m.cpu.csr.mcause >>> 0).toBe(0x8000_0007);
  });

  it("delegated supervisor software interrupt is taken in S with scause 0x80000001", () => {
    const m = machine([asm.jal(0, 0)]);
    m.cpu.csr.mideleg = MIP_SSIP;
    m.cpu.csr.mie = MIP_SSIP;
    m.cpu.csr.mipSw = MIP_SSIP;
    m.cpu.csr.mstatus = MSTATUS_SIE;
    m.cpu.setMode(Mode.S);
    m.run(50);
    expect(m.cpu.mode).toBe(Mode.S);
    expect(m.cpu.csr.scause >>> 0).toBe(0x8000_0001);
  });

  it("WFI sleeps until the timer and skips the idle cycles", () => {
    const m = machine([asm.wfi(), asm.addi(5, 0, 7), asm.jal(0, 0)]);
    m.clint.setTimecmp(10_000); // cycle 100,000
    m.cpu.csr.mie = MIP_MTIP; // MIE clear: WFI wakes but no trap is taken
    m.run(1_000_000);
    expect(m.cpu.x[5]).toBe(7);
    expect(m.cpu.retired).toBeLessThan(1_000_000 - 100_000); // most cycles were slept
  });

  it("reports idle when WFI can never wake", () => {
    const m = machine([asm.wfi()]);
    m.cpu.csr.mie = MIP_MTIP;
    expect(m.run(1_000_000)).toBe("idle");
  });
});

describe("hosted mode", () => {
  it("hands ecall to the host with registers, memory via the MMU and a mode change", () => {
    const m = machine([asm.addi(10, 0, 42), asm.ecall(), asm.addi(11, 10, 1), asm.jal(0, 0)], true);
    const seen: Array<[number, number, number]> = [];
    m.hostHandler = (mm) => {
      const c = mm.cpu;
      seen.push([c.trapCause, c.pc, c.x[10]]);
      expect(c.csr.mcause).toBe(0); // guest CSRs untouched
      c.x[10] = 100;
      c.pc = (c.pc + 4) | 0;
    };
    m.run(100);
    expect(seen).toEqual([[Cause.EcallM, RAM_BASE + 4 | 0, 42]]);
    expect(m.cpu.x[11]).toBe(101);
  });

  it("hands page faults of a U-mode process to the host, which maps the page and resumes", () => {
    // Page table at RAM+0x10000: VA 0x1000 → code page; data VA 0x2000 initially unmapped.
    const m = machine([], true);
    const root = RAM_BASE + 0x10000, l0 = RAM_BASE + 0x11000, code = RAM_BASE + 0x20000, data = RAM_BASE + 0x21000;
    const pte = (pa: number, f: number) => words([(((pa >>> 12) << 10) | f) >>> 0]);
    m.load(root, pte(l0, 1));
    m.load(l0 + 4, pte(code, 0xdb)); // V R X U A D (no W)
    m.load(code, words([asm.lui(1, 2), asm.lw(2, 1, 8), asm.ecall()]));
    m.load(data + 8, words([0x1234_5678]));
    m.cpu.csr.satp = (1 << 31) | (root >>> 12);
    m.cpu.setMode(Mode.U);
    m.cpu.pc = 0x1000;
    const log: number[] = [];
    m.hostHandler = (mm) => {
      const c = mm.cpu;
      log.push(c.trapCause);
      if (c.trapCause === Cause.LoadPageFault) {
        expect(c.trapTval).toBe(0x2008);
        mm.load(l0 + 8, pte(data, 0xd3)); // V R U A D
        c.tlb.flush();
        return;
      }
      expect(c.translate(0x2008, Access.Read)).toBe(data + 8);
      expect(c.translate(0x2008, Access.Write)).toBe(-(Cause.StorePageFault + 1));
      return "stop";
    };
    expect(m.run(1000)).toBe("trap");
    expect(log).toEqual([Cause.LoadPageFault, Cause.EcallU]);
    expect(m.cpu.x[2]).toBe(0x1234_5678);
  });

  it("hands interrupts to the host instead of vectoring", () => {
    const m = machine([asm.jal(0, 0)], true);
    m.clint.setTimecmp(5);
    m.cpu.csr.mie = MIP_MTIP;
    m.cpu.setMode(Mode.U);
    m.hostHandler = () => "stop";
    expect(m.run(10_000)).toBe("trap");
    expect(m.cpu.trapInterrupt).toBe(true);
    expect(m.cpu.trapCause).toBe(Irq.MTI);
    expect(m.clock.now).toBeGreaterThanOrEqual(50);
  });
});

describe("counters and clock", () => {
  it("cycle and instret count; mcycle is writable; time follows the CLINT", () => {
    const m = machine([asm.nop(), asm.nop(), asm.csrrs(1, CSR.instret, 0), asm.csrrs(2, CSR.cycle, 0), asm.csrrw(0, CSR.mcycle, 0), asm.csrrs(3, CSR.mcycle, 0), asm.csrrs(4, CSR.time, 0), asm.jal(0, 0)]);
    m.run(40);
    expect(m.cpu.x[1]).toBe(2);
    expect(m.cpu.x[2]).toBe(3); // a CSR read sees the count before the reading instruction (Zicsr)
    expect(m.cpu.x[3]).toBeLessThan(3);
    expect(m.cpu.x[4]).toBe(Math.floor(6 / 10));
    const t = m.clock.now;
    expect(m.clint.mtime()).toBe(Math.floor(t / 10));
  });

  it("memory-mapped CLINT is reachable from M-mode", () => {
    const m = machine([asm.lui(1, CLINT_BASE >>> 12), asm.addi(2, 0, 1), asm.sw(2, 1, 0), asm.jal(0, 0)]);
    m.run(100);
    expect(m.cpu.csr.mipHw & (1 << 3)).not.toBe(0); // msip raised MSIP
  });
});
