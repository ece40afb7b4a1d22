/*
 * Execution coverage of one driver's text during a run: which of its instructions executed (the
 * golden run's answer to "can a mutation at this site matter?"). The CPU marks executed words on
 * the pages it is given; the marks are mapped back to the driver's virtual addresses at the end.
 */
import { parseElf, PF_X } from "./machine/elf.js";
import type { System } from "./system.js";

/** A coverage recording in progress: the driver, its instructions' virtual addresses, the CPU's per-word marks. */
export interface Coverage {
  label: string;
  texts: number[];
  marks: Uint8Array;
}

/** Coverage of `label`'s text: its instructions' virtual addresses and the CPU's per-word marks. */
export function startCoverage(sys: System, label: string): Coverage {
  const texts = textAddresses(sys.images[label] ?? new Uint8Array());
  const pages = [...new Set(texts.map((va) => va & ~0xfff))].map((va) => sys.translate(label, va)).filter((pa): pa is number => pa !== undefined);
  return { label, texts, marks: sys.machine.cpu.setCoverage(pages)! };
}

/** The covered instructions (by physical word, mapped back: the text is where it was at the start). */
export function finishCoverage(sys: System, c: Coverage): number[] {
  const base = sys.machine.bus.ramBase;
  const covered = c.texts.filter((va) => {
    const pa = sys.translate(c.label, va);
    return pa !== undefined && c.marks[(pa - base) >>> 2] === 1;
  });
  sys.machine.cpu.setCoverage([]);
  return covered;
}

/** Virtual addresses of the instructions in the executable segments of a driver image. */
export function textAddresses(image: Uint8Array): number[] {
  const parsed = parseElf(image);
  if (!parsed.ok) return [];
  const out: number[] = [];
  for (const seg of parsed.elf.segments) if (seg.flags & PF_X) for (let va = seg.vaddr; va < seg.vaddr + seg.filesz; va += 4) out.push(va);
  return out;
}
