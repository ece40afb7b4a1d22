/*
 * Running a bare-metal ELF: load its segments, start at its entry in M-mode, and run until it
 * writes its `tohost` symbol (the HTIF convention of the RISC-V test suites: 1 = pass,
 * (code << 1) | 1 = fail with code), runs out of cycles, resets/powers off the machine, or
 * is caught in a trap loop: the same trap at the same pc, TRAP_LOOP_REPEATS times in a row with
 * no instruction retired (a trap with no working handler, e.g. mtvec = 0: every fetch of the
 * handler faults again), which no amount of cycles would end.
 */
import { disassemble } from "./disasm.js";
import { findSymbol, parseElf } from "./elf.js";
import { Machine } from "./machine.js";
import type { TrapRecord } from "./cpu.js";
import { causeName, modeName } from "./trap.js";

/** Identical traps in a row, with no instruction retired, that make a trap loop. */
export const TRAP_LOOP_REPEATS = 1000;

/** A trap the guest took, with its cause's name. */
export interface ExecTrap extends TrapRecord {
  name: string;
}

export interface ExecOptions {
  /** Cycle budget (default 1e9). */
  maxCycles?: number;
  ramSize?: number;
  /** Called once per executed instruction with a formatted line. */
  trace?: (line: string) => void;
}

export interface ExecResult {
  /** halted = the machine was reset or powered off before writing tohost. */
  status: "pass" | "fail" | "timeout" | "halted" | "trap-loop";
  /** 0 on pass; tohost >> 1 on fail. */
  exitCode: number;
  /** Raw value written to tohost (0 when none). */
  tohost: number;
  cycles: number;
  instret: number;
  /** Console (UART) output. */
  console: string;
  halt?: { kind: "reset" | "poweroff"; reason: string; at: number };
  /**
   * For trap-loop: the first trap since the last instruction retired (what went wrong), and the
   * trap that then repeated (`repeats` times after its first time; often the handler's fetch).
   */
  trapLoop?: { first: ExecTrap; repeated: ExecTrap; repeats: number };
}

export type ExecOutcome = { ok: true; result: ExecResult } | { ok: false; error: string };

/** Loads and runs `bytes` as a bare-metal RV32 program. Bad input is an error value, never a throw. */
export function execElf(bytes: Uint8Array, opts: ExecOptions = {}): ExecOutcome {
  const parsed = parseElf(bytes);
  if (!parsed.ok) return parsed;
  const elf = parsed.elf;
  const tohost = findSymbol(elf, "tohost");
  if (!tohost) return { ok: false, error: "the ELF has no `tohost` symbol (bare-metal programs report their exit through it)" };
  const m = new Machine({ ramSize: opts.ramSize });
  for (const seg of elf.segments)
    if (!m.load(seg.paddr, seg.data, seg.memsz))
      return { ok: false, error: `segment at 0x${hex(seg.paddr)} (${seg.memsz} bytes) is outside RAM` };
  m.cpu.reset(elf.entry);
  m.cpu.watch(tohost.value);
  m.cpu.trapLoopLimit = TRAP_LOOP_REPEATS;
  if (opts.trace) {
    const out = opts.trace;
    m.trace = (pc, insn, mode, cycle) =>
      out(`${cycle.toString().padStart(10)} ${modeName(mode)} ${hex(pc)}: ${insn === undefined ? "????????" : hex(insn)}  ${insn === undefined ? "(fetch fault)" : disassemble(insn, pc)}`);
  }
  const budget = opts.maxCycles ?? 1e9;
  let value = 0;
  for (;;) {
    const stop = m.run(budget);
    if (stop === "watch") {
      value = m.readPhys(tohost.value, 4)!.reduce((v, b, i) => v + b * 2 ** (8 * i), 0);
      if (value & 1) break; // exit request; even values are HTIF device commands: ignored
      continue;
    }
    if (stop === "trap") return { ok: true, result: { ...result(m, "trap-loop", 0, 0), trapLoop: trapLoop(m) } };
    const status = stop === "halt" ? "halted" : "timeout";
    return { ok: true, result: result(m, status, 0, 0) };
  }
  const code = Math.floor(value / 2);
  return { ok: true, result: result(m, code === 0 ? "pass" : "fail", code, value) };
}

function result(m: Machine, status: ExecResult["status"], exitCode: number, tohost: number): ExecResult {
  return {
    status,
    exitCode,
    tohost,
    cycles: m.clock.now,
    instret: m.cpu.retired,
    console: m.uart.output(),
    ...(m.halted ? { halt: { ...m.halted } } : {}),
  };
}

function trapLoop(m: Machine): NonNullable<ExecResult["trapLoop"]> {
  const s = m.cpu.trapStreak;
  const named = (t: TrapRecord): ExecTrap => ({ ...t, pc: t.pc >>> 0, tval: t.tval >>> 0, name: causeName(t.cause, t.interrupt) });
  return { first: named(s.first), repeated: named(s.last), repeats: s.repeats };
}

const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, "0");
