/*
 * ELF loader tests: real executables built from the fixtures with clang/lld, checked against
 * llvm-readelf as the oracle; then malformed files, each with its exact error line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import seedrandom from "seedrandom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSymbol, parseElf, PF_R, PF_W, PF_X, symbolize, type ElfImage } from "../../system/machine/elf.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "elf");
const RV32 = ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32"];
const RV64 = ["--target=riscv64-unknown-elf", "-march=rv64im", "-mabi=lp64", "-mcmodel=medany"];
const LINK = ["-nostdlib", "-ffreestanding", "-fuse-ld=lld", "-Wl,-Ttext=0x80000000"];

let dir: string;
const built = new Map<string, string>();

/** Compiles fixture `src` and returns the executable's path (kept in `built` under `key`). */
function build(key: string, src: string, target = RV32): void {
  const out = join(dir, `${key}.elf`);
  execFileSync("clang", [...target, ...LINK, "-o", out, join(FIXTURES, src)]);
  built.set(key, out);
}

/** The file's bytes as a Node Buffer (a Uint8Array with a non-zero byteOffset into a pool, often). */
const bytesOf = (key: string): Buffer => readFileSync(built.get(key)!);

function parsed(key: string): ElfImage {
  const r = parseElf(bytesOf(key));
  if (!r.ok) throw new Error(r.error);
  return r.elf;
}

const readelf = (key: string, flag: string): string[] =>
  execFileSync("llvm-readelf", [flag, "--wide", built.get(key)!], { encoding: "utf8" }).split("\n");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bulkhead-elf-"));
  build("prog", "prog.c");
  build("labels", "labels.S");
  build("prog64", "prog.c", RV64);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseElf on a compiled C program", () => {
  it("finds the entry point at _start", () => {
    const elf = parsed("prog");
    const entryLine = readelf("prog", "-h").find((l) => l.includes("Entry point address"))!;
    expect(elf.entry).toBe(Number(entryLine.split(":")[1].trim()));
    expect(elf.entry).toBe(findSymbol(elf, "_start")!.value);
  });

  it("returns exactly the PT_LOAD segments, with the file's bytes", () => {
    const elf = parsed("prog");
    const file = bytesOf("prog");
    const loads = readelf("prog", "-l").filter((l) => /^\s+LOAD\s/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(loads.length).toBeGreaterThan(0);
    expect(elf.segments.length).toBe(loads.length);
    loads.forEach(([, off, vaddr, paddr, filesz, memsz, ...flags], i) => {
      const s = elf.segments[i];
      expect([s.vaddr, s.paddr, s.filesz, s.memsz]).toEqual([vaddr, paddr, filesz, memsz].map(Number));
      const flagText = flags.slice(0, -1).join("");
      const has = (letter: string, flag: number) => (flagText.includes(letter) ? flag : 0);
      expect(s.flags).toBe(has("R", PF_R) | has("W", PF_W) | has("E", PF_X));
      expect(s.data).not.toBeInstanceOf(Buffer);
      expect(Array.from(s.data)).toEqual(Array.from(file.subarray(Number(off), Number(off) + s.filesz)));
    });
    const text = elf.segments.find((s) => s.vaddr === 0x80000000)!;
    expect(text.flags).toBe(PF_R | PF_X);
    const data = elf.segments.find((s) => s.flags === (PF_R | PF_W))!;
    expect(data.memsz).toBeGreaterThan(data.filesz); // .bss
  });

  it("reads every symbol as llvm-readelf does", () => {
    const elf = parsed("prog");
    const rows = readelf("prog", "-s").filter((l) => /^\s+\d+:/.test(l)).map((l) => l.trim().split(/\s+/)).slice(1);
    const ndx = (n: string) => (n === "UND" ? 0 : n === "ABS" ? 0xfff1 : Number(n));
    const expected = rows.map(([, value, size, type, bind, , section, name]) => ({
      name: name ?? "", value: parseInt(value, 16), size: Number(size), type: type.toLowerCase(), bind: bind.toLowerCase(), section: ndx(section),
    }));
    expect(elf.symbols).toEqual(expected);
    expect(findSymbol(elf, "table")).toMatchObject({ type: "object", bind: "global", size: 64 });
    expect(findSymbol(elf, "counter")).toMatchObject({ type: "object", size: 4 });
    expect(findSymbol(elf, "compute")).toMatchObject({ type: "func", bind: "global" });
    expect(findSymbol(elf, "helper")).toMatchObject({ type: "func", bind: "local" });
    expect(findSymbol(elf, "no_such_symbol")).toBeUndefined();
  });

  it("names the sections from the section-name table", () => {
    const elf = parsed("prog");
    expect(elf.sections.map((s) => s.name)).toEqual(["", ".text", ".sdata", ".data", ".bss", ".comment", ".riscv.attributes", ".symtab", ".shstrtab", ".strtab"]);
    const text = elf.sections[1];
    expect(text).toMatchObject({ addr: 0x80000000, type: 1, flags: 0x6 });
    expect(text.size).toBe(elf.segments.find((s) => s.vaddr === 0x80000000)!.filesz);
  });

  it("symbolizes addresses inside functions as function+offset", () => {
    const elf = parsed("prog");
    const compute = findSymbol(elf, "compute")!;
    const helper = findSymbol(elf, "helper")!;
    const start = findSymbol(elf, "_start")!;
    expect(symbolize(elf, compute.value + 8)).toEqual({ name: "compute", offset: 8 });
    expect(symbolize(elf, helper.value)).toEqual({ name: "helper", offset: 0 });
    expect(symbolize(elf, start.value + start.size - 4)).toEqual({ name: "_start", offset: start.size - 4 });
    expect(symbolize(elf, findSymbol(elf, "table")!.value + 4)).toBeUndefined(); // data, no code symbol
    expect(symbolize(elf, 0x10000)).toBeUndefined(); // headers segment, in no section
  });
});

describe("symbolize fallback on hand-written assembly", () => {
  it("uses the nearest preceding label in the section when no sized function contains addr", () => {
    const elf = parsed("labels");
    const at = (name: string, offset: number) => symbolize(elf, findSymbol(elf, name)!.value + offset);
    expect(at("_start", 4)).toEqual({ name: "_start", offset: 4 }); // notype, size 0
    expect(at("func", 4)).toEqual({ name: "func", offset: 4 });
    expect(at("after", 4)).toEqual({ name: "after", offset: 4 }); // local label after func's end
    expect(findSymbol(elf, "word")).toMatchObject({ type: "object", size: 4, value: elf.sections[2].addr });
    expect(at("after", 8)).toBeUndefined(); // just past the end of .text
  });
});

/** A copy of `bytes` with a little-endian value of `size` bytes written at `offset`. */
function patched(bytes: Uint8Array, offset: number, value: number, size: 2 | 4): Uint8Array {
  const copy = new Uint8Array(bytes);
  const view = new DataView(copy.buffer);
  if (size === 2) view.setUint16(offset, value, true);
  else view.setUint32(offset, value, true);
  return copy;
}

function errorOf(bytes: Uint8Array): string {
  const r = parseElf(bytes);
  return r.ok ? "(parsed fine)" : r.error;
}

describe("parseElf on malformed input", () => {
  it("rejects an empty file", () => {
    expect(errorOf(new Uint8Array(0))).toBe("not an ELF file (empty file)");
  });

  it("rejects a wrong magic number", () => {
    expect(errorOf(new TextEncoder().encode("#!/bin/sh\necho hello\n"))).toBe("not an ELF file (bad magic)");
    expect(errorOf(patched(bytesOf("prog"), 0, 0x464c457e, 4))).toBe("not an ELF file (bad magic)");
  });

  it("rejects a header cut short", () => {
    expect(errorOf(bytesOf("prog").subarray(0, 30))).toBe("ELF header truncated: file has 30 bytes, the header needs 52");
  });

  it("rejects a 64-bit ELF", () => {
    expect(errorOf(bytesOf("prog64"))).toBe("ELF is 64-bit; bulkhead runs RV32");
  });

  it("rejects big-endian", () => {
    expect(errorOf(patched(bytesOf("prog"), 5, 2, 2))).toBe("ELF is big-endian; RISC-V is little-endian");
  });

  it("rejects another machine, naming it", () => {
    expect(errorOf(patched(bytesOf("prog"), 18, 62, 2))).toBe("ELF machine is 62 (x86-64), expected 243 (RISC-V)");
    expect(errorOf(patched(bytesOf("prog"), 18, 999, 2))).toBe("ELF machine is 999, expected 243 (RISC-V)");
  });

  it("rejects shared objects / PIE and relocatable objects", () => {
    expect(errorOf(patched(bytesOf("prog"), 16, 3, 2))).toBe("ELF is a shared object or PIE (ET_DYN); bulkhead needs a static executable (ET_EXEC)");
    expect(errorOf(patched(bytesOf("prog"), 16, 1, 2))).toBe("ELF is a relocatable object (ET_REL); link it into an executable first");
  });

  it("rejects a wrong program header entry size", () => {
    expect(errorOf(patched(bytesOf("prog"), 42, 56, 2))).toBe("program header size 56 is invalid (expected 32)");
  });

  it("rejects a truncated program header table", () => {
    expect(errorOf(bytesOf("prog").subarray(0, 52 + 2 * 32 + 10))).toBe("program header 2 extends past end of file");
  });

  it("rejects a segment extending past the end of the file", () => {
    const file = bytesOf("prog");
    const ph3 = 52 + 3 * 32;
    const offset = new DataView(file.buffer, file.byteOffset).getUint32(ph3 + 4, true);
    const bad = patched(patched(file, ph3 + 16, 0x10000, 4), ph3 + 20, 0x10000, 4);
    const where = `segment data (offset 0x${offset.toString(16)}, 0x10000 bytes)`;
    expect(errorOf(bad)).toBe(`program header 3: ${where} extends past end of file (0x${file.length.toString(16)} bytes)`);
  });

  it("rejects filesz > memsz and an entry point outside executable code", () => {
    expect(errorOf(patched(bytesOf("prog"), 52 + 3 * 32 + 20, 0, 4))).toMatch(/^program header 3: filesz 0x44 exceeds memsz 0x0$/);
    expect(errorOf(patched(bytesOf("prog"), 24, 0x1234, 4))).toBe("entry point 0x1234 is not inside an executable segment");
  });

  it("rejects a truncated section header table", () => {
    const file = bytesOf("prog");
    const shoff = new DataView(file.buffer, file.byteOffset).getUint32(32, true);
    expect(errorOf(file.subarray(0, shoff + 10))).toBe("section header 0 extends past end of file");
  });

  it("never throws on randomly corrupted files", () => {
    const file = bytesOf("prog");
    const shoff = new DataView(file.buffer, file.byteOffset).getUint32(32, true);
    const rng = seedrandom("elf-corruption");
    const anywhereIn = (from: number, to: number) => from + Math.floor(rng() * (to - from));
    for (let trial = 0; trial < 3000; trial++) {
      const copy = new Uint8Array(file);
      for (let k = 0; k < 3; k++) copy[anywhereIn(0, 256)] = anywhereIn(0, 256); // ELF + program headers
      for (let k = 0; k < 3; k++) copy[anywhereIn(shoff - 0x100, copy.length)] = anywhereIn(0, 256); // symbols, strings, section headers
      const r = parseElf(rng() < 0.1 ? copy.subarray(0, Math.floor(rng() * copy.length)) : copy);
      expect(typeof r.ok).toBe("boolean");
      if (!r.ok) expect(r.error).toMatch(/^[^\n]+$/);
    }
  });
});
