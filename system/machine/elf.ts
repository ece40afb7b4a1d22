/*
 * ELF32 parser for RV32 executables: the file in, plain data out.
 *
 * parseElf() checks the file (magic, class, byte order, machine, type, header sizes, and that every
 * table, segment, section and string it reads lies inside the file) and returns the loadable
 * segments, the section list and the symbol table. It never touches the machine (loading the
 * segments into RAM is the caller's job) and never throws on bad input: a broken file gives
 * { ok: false, error } with one precise line. findSymbol() and symbolize() answer the questions a
 * fault description asks ("where is `foo`?", "what is 0x80000124?" -> "foo+0x10").
 *
 * Note: lld with -Ttext also emits a read-only PT_LOAD for the ELF and program headers (at 0x10000
 * by default). It is reported like any other PT_LOAD; the loader decides what to do with it.
 */

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const ELF_HEADER_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const EM_RISCV = 243;
const ET_REL = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;

/** Common e_machine values, so a wrong-architecture error names the architecture. */
const MACHINE_NAMES: Record<number, string> = {
  3: "x86", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 40: "ARM", 62: "x86-64", 183: "AArch64", 243: "RISC-V",
};

export interface ElfSegment {
  vaddr: number;
  paddr: number;
  memsz: number;
  filesz: number;
  /** Offset of the segment's bytes in the file (to patch an image on disk). */
  offset: number;
  /** PF_R | PF_W | PF_X */
  flags: number;
  /** The segment's filesz bytes from the file (a copy); the rest up to memsz is zero. */
  data: Uint8Array;
}

export type SymbolType = "func" | "object" | "notype" | "section" | "file" | "other";
export type SymbolBind = "local" | "global" | "weak" | "other";

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: SymbolType;
  bind: SymbolBind;
  /** st_shndx: index of the section the symbol lives in (0 = undefined, >= 0xff00 special). */
  section: number;
}

export interface ElfSection {
  name: string;
  addr: number;
  size: number;
  type: number;
  flags: number;
}

export interface ElfImage {
  entry: number;
  /** PT_LOAD segments only, in program-header order. */
  segments: ElfSegment[];
  /** .symtab without its null entry 0, in table order; empty if the file is stripped. */
  symbols: ElfSymbol[];
  /** All section headers, index i = section i (section 0 is the null section). */
  sections: ElfSection[];
}

/** File offset of virtual address `va` in a loaded segment's file bytes, or undefined. */
export function fileOffsetOf(elf: ElfImage, va: number): number | undefined {
  const seg = elf.segments.find((s) => va >= s.vaddr && va < s.vaddr + s.filesz);
  return seg && seg.offset + (va - seg.vaddr);
}

export type ElfResult = { ok: true; elf: ElfImage } | { ok: false; error: string };

interface Header {
  type: number;
  machine: number;
  entry: number;
  phoff: number;
  shoff: number;
  ehsize: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

/** A section header with the file offset and link that the parser needs but ElfSection omits. */
interface RawSection extends ElfSection {
  nameOffset: number;
  offset: number;
  link: number;
  entsize: number;
}

/** Internal steps return their value or an error line. */
type Step<T> = T | { error: string };

function failed<T>(s: Step<T>): s is { error: string } {
  return typeof s === "object" && s !== null && "error" in s;
}

const hex = (n: number): string => "0x" + (n >>> 0).toString(16);

/**
 * Parses an ELF32 RISC-V executable. Returns { ok: true, elf } or { ok: false, error } with one
 * line naming the first problem found. Never throws; does not keep a reference to `bytes`.
 */
export function parseElf(bytes: Uint8Array): ElfResult {
  const identError = checkIdent(bytes);
  if (identError) return { ok: false, error: identError };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(view);
  const headerError = checkHeader(header, bytes.length);
  if (headerError) return { ok: false, error: headerError };
  const segments = readSegments(view, header, bytes);
  if (failed(segments)) return { ok: false, error: segments.error };
  const entryError = checkEntry(header.entry, segments);
  if (entryError) return { ok: false, error: entryError };
  const sections = readSections(view, header, bytes);
  if (failed(sections)) return { ok: false, error: sections.error };
  const symbols = readSymbols(view, sections, bytes);
  if (failed(symbols)) return { ok: false, error: symbols.error };
  const publicSections = sections.map(({ name, addr, size, type, flags }) => ({ name, addr, size, type, flags }));
  return { ok: true, elf: { entry: header.entry, segments, symbols, sections: publicSections } };
}

/** e_ident: magic, class, byte order, version. Returns an error line or undefined. */
function checkIdent(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return "not an ELF file (empty file)";
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    return "not an ELF file (bad magic)";
  }
  if (bytes.length < ELF_HEADER_SIZE) return `ELF header truncated: file has ${bytes.length} bytes, the header needs ${ELF_HEADER_SIZE}`;
  if (bytes[4] === 2) return "ELF is 64-bit; bulkhead runs RV32";
  if (bytes[4] !== 1) return `ELF class ${bytes[4]} is invalid (expected 1, ELFCLASS32)`;
  if (bytes[5] === 2) return "ELF is big-endian; RISC-V is little-endian";
  if (bytes[5] !== 1) return `ELF data encoding ${bytes[5]} is invalid (expected 1, little-endian)`;
  if (bytes[6] !== 1) return `ELF identification version ${bytes[6]} is unsupported (expected 1)`;
  return undefined;
}

function readHeader(v: DataView): Header {
  const u16 = (o: number) => v.getUint16(o, true);
  const u32 = (o: number) => v.getUint32(o, true);
  return {
    type: u16(16), machine: u16(18), entry: u32(24), phoff: u32(28), shoff: u32(32), ehsize: u16(40),
    phentsize: u16(42), phnum: u16(44), shentsize: u16(46), shnum: u16(48), shstrndx: u16(50),
  };
}

/** Machine, type and table entry sizes. Returns an error line or undefined. */
function checkHeader(h: Header, fileSize: number): string | undefined {
  if (h.machine !== EM_RISCV) {
    const name = MACHINE_NAMES[h.machine];
    return `ELF machine is ${h.machine}${name ? ` (${name})` : ""}, expected ${EM_RISCV} (RISC-V)`;
  }
  if (h.type === ET_DYN) return "ELF is a shared object or PIE (ET_DYN); bulkhead needs a static executable (ET_EXEC)";
  if (h.type === ET_REL) return "ELF is a relocatable object (ET_REL); link it into an executable first";
  if (h.type !== ET_EXEC) return `ELF type ${h.type} is not an executable (expected 2, ET_EXEC)`;
  if (h.ehsize < ELF_HEADER_SIZE || h.ehsize > fileSize) return `ELF header size ${h.ehsize} is invalid (expected ${ELF_HEADER_SIZE})`;
  if (h.phnum === 0) return "ELF has no program headers, so nothing to load";
  if (h.phentsize !== PHDR_SIZE) return `program header size ${h.phentsize} is invalid (expected ${PHDR_SIZE})`;
  if (h.shnum > 0 && h.shentsize !== SHDR_SIZE) return `section header size ${h.shentsize} is invalid (expected ${SHDR_SIZE})`;
  return undefined;
}

/**
 * The PT_LOAD segments. The whole program header table is checked to lie in the file first, then
 * each segment's data, its sizes, and that it does not wrap the 32-bit address space.
 */
function readSegments(v: DataView, h: Header, bytes: Uint8Array): Step<ElfSegment[]> {
  for (let i = 0; i < h.phnum; i++) {
    if (h.phoff + (i + 1) * PHDR_SIZE > bytes.length) return { error: `program header ${i} extends past end of file` };
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_SIZE;
    if (v.getUint32(at, true) !== PT_LOAD) continue;
    const [offset, vaddr, paddr, filesz, memsz, flags] = [4, 8, 12, 16, 20, 24].map((o) => v.getUint32(at + o, true));
    if (offset + filesz > bytes.length) {
      const what = `segment data (offset ${hex(offset)}, ${hex(filesz)} bytes)`;
      return { error: `program header ${i}: ${what} extends past end of file (${hex(bytes.length)} bytes)` };
    }
    if (filesz > memsz) return { error: `program header ${i}: filesz ${hex(filesz)} exceeds memsz ${hex(memsz)}` };
    if (vaddr + memsz > 2 ** 32) {
      return { error: `program header ${i}: segment at ${hex(vaddr)} (${hex(memsz)} bytes) wraps past the end of the address space` };
    }
    segments.push({ vaddr, paddr, memsz, filesz, offset, flags, data: new Uint8Array(bytes.subarray(offset, offset + filesz)) });
  }
  if (segments.length === 0) return { error: "ELF has no PT_LOAD segment, so nothing to load" };
  return segments;
}

/** The entry point must be inside an executable segment, else the first fetch would fault. */
function checkEntry(entry: number, segments: ElfSegment[]): string | undefined {
  const inside = segments.some((s) => (s.flags & PF_X) !== 0 && entry >= s.vaddr && entry < s.vaddr + s.memsz);
  return inside ? undefined : `entry point ${hex(entry)} is not inside an executable segment`;
}

/** Section headers with names from the section-name string table; empty if e_shnum is 0. */
function readSections(v: DataView, h: Header, bytes: Uint8Array): Step<RawSection[]> {
  const sections: RawSection[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const at = h.shoff + i * SHDR_SIZE;
    if (at + SHDR_SIZE > bytes.length) return { error: `section header ${i} extends past end of file` };
    const field = (k: number) => v.getUint32(at + 4 * k, true);
    const [nameOffset, type, flags, addr, offset, size, link, entsize] = [0, 1, 2, 3, 4, 5, 6, 9].map(field);
    if (type !== SHT_NOBITS && offset + size > bytes.length) {
      return { error: `section ${i}: data (offset ${hex(offset)}, ${hex(size)} bytes) extends past end of file (${hex(bytes.length)} bytes)` };
    }
    sections.push({ name: "", nameOffset, addr, size, type, flags, offset, link, entsize });
  }
  return nameSections(sections, h.shstrndx, bytes);
}

/** Fills in each section's name from the section-name string table (none if e_shstrndx is 0). */
function nameSections(sections: RawSection[], shstrndx: number, bytes: Uint8Array): Step<RawSection[]> {
  if (sections.length === 0 || shstrndx === SHN_UNDEF) return sections;
  if (shstrndx >= sections.length) return { error: `section name table index ${shstrndx} is out of range (${sections.length} sections)` };
  const table = sections[shstrndx];
  for (let i = 0; i < sections.length; i++) {
    const name = readString(bytes, table, sections[i].nameOffset);
    if (failed(name)) return { error: `section ${i}: name ${name.error}` };
    sections[i].name = name;
  }
  return sections;
}

/** The NUL-terminated string at `offset` in string table section `table`. */
function readString(bytes: Uint8Array, table: RawSection, offset: number): Step<string> {
  if (table.type === SHT_NOBITS || offset >= table.size) return { error: `offset ${offset} is outside its string table (${table.size} bytes)` };
  const start = table.offset + offset;
  const end = bytes.indexOf(0, start);
  if (end < 0 || end >= table.offset + table.size) return { error: `at offset ${offset} is not NUL-terminated inside its string table` };
  return textDecoder.decode(bytes.subarray(start, end));
}

const textDecoder = new TextDecoder("utf-8");

/** Symbols of the first SHT_SYMTAB section (entry 0 skipped), names from its linked string table. */
function readSymbols(v: DataView, sections: RawSection[], bytes: Uint8Array): Step<ElfSymbol[]> {
  const symtabIndex = sections.findIndex((s) => s.type === SHT_SYMTAB);
  if (symtabIndex < 0) return [];
  const symtab = sections[symtabIndex];
  if (symtab.entsize !== SYM_SIZE) return { error: `symbol table entry size ${symtab.entsize} is invalid (expected ${SYM_SIZE})` };
  if (symtab.link >= sections.length) return { error: `symbol table links to string table ${symtab.link}, which does not exist` };
  const strtab = sections[symtab.link];
  const symbols: ElfSymbol[] = [];
  for (let i = 1; i < Math.floor(symtab.size / SYM_SIZE); i++) {
    const at = symtab.offset + i * SYM_SIZE;
    const name = readString(bytes, strtab, v.getUint32(at, true));
    if (failed(name)) return { error: `symbol ${i}: name ${name.error}` };
    const info = v.getUint8(at + 12);
    symbols.push({
      name, value: v.getUint32(at + 4, true), size: v.getUint32(at + 8, true),
      type: symbolType(info & 0xf), bind: symbolBind(info >> 4), section: v.getUint16(at + 14, true),
    });
  }
  return symbols;
}

function symbolType(stt: number): SymbolType {
  return (["notype", "object", "func", "section", "file"] as const)[stt] ?? "other";
}

function symbolBind(stb: number): SymbolBind {
  return (["local", "global", "weak"] as const)[stb] ?? "other";
}

/** The symbol called `name`, preferring a global or weak one over locals; undefined if none. */
export function findSymbol(elf: ElfImage, name: string): ElfSymbol | undefined {
  const matches = elf.symbols.filter((s) => s.name === name);
  return matches.find((s) => s.bind !== "local") ?? matches[0];
}

/**
 * Names the code at `addr` as symbol + offset: the function symbol whose [value, value + size)
 * contains addr; failing that, the nearest preceding func/notype symbol in the same section
 * (assembler temporaries ".L*" skipped). Undefined if addr is in no section with a symbol.
 */
export function symbolize(elf: ElfImage, addr: number): { name: string; offset: number } | undefined {
  const a = addr >>> 0;
  const containing = elf.symbols.find((s) => s.type === "func" && a >= s.value && a - s.value < s.size);
  const best = containing ?? nearestPreceding(elf, a);
  return best && { name: best.name, offset: a - best.value };
}

function nearestPreceding(elf: ElfImage, a: number): ElfSymbol | undefined {
  let best: ElfSymbol | undefined;
  for (const s of elf.symbols) {
    if ((s.type !== "func" && s.type !== "notype") || s.name === "" || s.name.startsWith(".L")) continue;
    if (s.section === SHN_UNDEF || s.section >= SHN_LORESERVE || s.value > a) continue;
    const sec = elf.sections[s.section];
    if (!sec || a < sec.addr || a - sec.addr >= sec.size) continue;
    if (!best || s.value > best.value || (s.value === best.value && rank(s) > rank(best))) best = s;
  }
  return best;
}

/** Tie-break between symbols at one address: functions over labels, globals over locals. */
function rank(s: ElfSymbol): number {
  return (s.type === "func" ? 2 : 0) + (s.bind === "local" ? 0 : 1);
}
