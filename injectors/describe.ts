/*
 * The one-line description of a fault, for logs, reports and replay:
 *
 *   at_wini: at_transfer+0x24 (0x00400c78): "sw s7, 12(sp)" → "addi zero, zero, 0" [NOP], first execution, transient
 *   at_wini: sys_outb+0x0 (0x00401904): at "addi a3, a0, 0": port argument a0 := 0x0cf9 (reset control
 *     register) [BAD_PORT_WRITE sysctl], first execution and every later one, persistent
 *   at_wini: sys_outl+0x0 (0x004019a4): at "addi a3, a1, 0" with a0 = 0xc004 (ATA bus-master DMA): the
 *     data address in the first entry of the descriptor table at a1 := 0x80001234 (the kernel's process
 *     table, slot 3: msgVir) [BAD_DMA kernel], first such execution, transient
 *
 * Driver, function+offset (symbolize), address, the instruction before and after (disassembled
 * with absolute branch targets) or the action at the site, the type (and variant, and RANDOM when
 * it was chosen by RANDOM), the trigger and the persistence. describeActivation() adds whether and
 * when the fault was activated.
 */
import { decode, disassemble, REG_NAMES } from "../system/machine/disasm.js";
import type { ElfImage } from "../system/machine/elf.js";
import { RAM_BASE } from "../system/machine/memmap.js";
import { kernelWordName, STRUCTURES } from "./kernel-targets.js";
import { hex8 } from "./rv32.js";
import type { Action, DmaAim, Fault, Site, Trigger } from "./types.js";

/** "at_transfer+0x24 (0x00400c78)" */
export function siteText(s: Site): string {
  return `${s.func}+0x${s.offset.toString(16)} (${hex8(s.va)})`;
}

function ordinal(n: number): string {
  const t = n % 100;
  const suffix = t >= 11 && t <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** `such`: only executions that meet the fault's condition count. */
function triggerText(t: Trigger, runtime: boolean, such: boolean): string {
  const execution = such ? "such execution" : "execution";
  switch (t.kind) {
    case "first": return `first ${execution}`;
    case "nth": return `${ordinal(t.n)} ${execution}`;
    case "cycle": return runtime ? `first ${execution} from cycle +${t.at}` : `patched at cycle +${t.at}`;
  }
}

/** The named object (or section) holding data address va, as "name+0xoff". */
export function dataName(elf: ElfImage, va: number): string {
  const sym = elf.symbols.find((s) => s.type === "object" && va >= s.value && va < s.value + Math.max(s.size, 1));
  if (sym) return `${sym.name}+0x${(va - sym.value).toString(16)}`;
  const sec = elf.sections.find((s) => s.addr !== 0 && va >= s.addr && va < s.addr + s.size);
  return sec ? `${sec.name}+0x${(va - sec.addr).toString(16)}` : hex8(va);
}

/** Names a port as the port map does (system/machine/memmap.ts). */
export function portName(port: number): string {
  if (port === 0x92) return "system control port A";
  if (port === 0xcf9) return "reset control register";
  if (port === 0x604 || port === 0x605) return "ACPI power-off register";
  if (port >= 0x3f8 && port <= 0x3ff) return "console UART";
  if ((port >= 0x1f0 && port <= 0x1f7) || port === 0x3f6) return "ATA controller";
  if (port >= 0xc000 && port <= 0xc007) return "ATA bus-master DMA";
  return "no device";
}

const reg = (r: number): string => REG_NAMES[r];
/** Where a BAD_POINTER variant sends the access (address `target`), in words. */
function aimText(variant: string, target: number): string {
  const structure = STRUCTURES[variant];
  if (!structure) return variant === "null" ? "null" : variant === "random" ? "a random address" : variant;
  const word = kernelWordName(target - RAM_BASE);
  return word.startsWith(structure.title) ? `the kernel's ${word}` : `the kernel's ${structure.title}: ${word}`;
}
const hex4 = (v: number): string => "0x" + v.toString(16).padStart(4, "0");

/** Where a BAD_DMA aim sends the device, in words. */
function dmaAimText(aim: DmaAim): string {
  switch (aim.to) {
    case "address": {
      const word = kernelWordName(aim.address - RAM_BASE);
      return `${hex8(aim.address)} (${word.startsWith("RAM offset") ? word : `the kernel's ${word}`})`;
    }
    case "offset": return `itself + ${aim.add} (one page past the address the driver gave)`;
    case "ram": return `a random RAM word (word ${aim.draw} mod N of RAM's N words, chosen when the site is reached)`;
    case "process": return `a page of ${aim.label}'s memory (page ${aim.draw} mod N of the N pages where the transfer fits, chosen when the site is reached)`;
  }
}

function actionText(f: Fault & { kind: "runtime" }, elf: ElfImage): string {
  const a: Action = f.action;
  const d = decode(f.original);
  const access = d.isLoad ? "load" : "store";
  switch (a.kind) {
    case "set-reg":
      if (f.type === "BAD_PORT_WRITE") return `port argument a0 := ${hex4(a.value >>> 0)} (${portName(a.value >>> 0)})`;
      return `base ${reg(a.reg)} := ${hex8(a.value)}, so the ${access} goes to ${hex8(a.value + (d.imm ?? 0))} (${aimText(f.variant ?? "", (a.value + (d.imm ?? 0)) >>> 0)})`;
    case "dma-address": {
      const what = a.replace === "data" ? "the data address in the first entry of the descriptor table at a1" : "the descriptor table pointer a1";
      return `${what} := ${dmaAimText(a.aim)}`;
    }
    case "aim-page-table":
      return `base ${reg(a.reg)} := a word of the live processes' page tables, so the ${access} goes there (word ${a.draw} mod N of their N words, listed when the site is reached)`;
    case "aim-server-tables":
      return `base ${reg(a.reg)} := a word of the live servers' tables (DS, RS, VFS), so the ${access} goes there (word ${a.draw} mod N of their N words, listed when the site is reached)`;
    case "add-reg":
      return `base ${reg(a.reg)} += ${a.add}, so the ${access} goes one page past its address`;
    case "xor-reg":
      return `flip bit ${Math.log2(a.xor)} of ${reg(a.reg)}`;
    case "xor-mem": {
      const where = `the word at ${hex8(a.va)} (${dataName(elf, a.va)})`;
      return f.persistence === "persistent" ? `bit ${Math.log2(a.xor)} of ${where} stuck at its flipped value` : `flip bit ${Math.log2(a.xor)} of ${where}`;
    }
  }
}

function typeLabel(f: Fault): string {
  return `${f.type}${f.variant ? " " + f.variant : ""}${f.requested !== f.type ? " via " + f.requested : ""}`;
}

/** What the type adds in brackets after its label (INTERFACE's call, the loop that never ends). */
function typeNote(f: Fault): string {
  if (f.callSite) return `: argument ${reg(decode(f.original).rd ?? 0)} of the call at ${siteText(f.callSite)}`;
  if (f.loop) return `: loop ${hex8(f.loop.head)}..${hex8(f.loop.latch)} loses its only exit`;
  return "";
}

/** The description of fault `f` (its description field is ignored), for the image `elf`. */
export function describeFault(f: Fault, elf: ElfImage): string {
  const where = `${f.driver}: ${siteText(f.site)}`;
  const dis = (w: number) => `"${disassemble(w, f.site.va)}"`;
  const when = f.kind === "runtime" && f.when ? ` with ${reg(f.when.reg)} = ${hex4(f.when.equals >>> 0)}${f.when.reg === 10 ? ` (${portName(f.when.equals >>> 0)})` : ""}` : "";
  const what = f.kind === "code" ? `${dis(f.original)} → ${dis(f.mutated)}` : `at ${dis(f.original)}${when}: ${actionText(f, elf)}`;
  const every = f.kind === "runtime" && f.persistence === "persistent" ? " and every later one" : "";
  return `${where}: ${what} [${typeLabel(f)}${typeNote(f)}], ${triggerText(f.trigger, f.kind === "runtime", when !== "")}${every}, ${f.persistence}`;
}

/** The description followed by whether the fault was activated: when and how often. */
export function describeActivation(f: Fault, a: { activated: boolean; at: number; executions: number }): string {
  return `${f.description}; ${a.activated ? `activated at cycle ${a.at} (${a.executions} execution${a.executions === 1 ? "" : "s"})` : "not activated"}`;
}
