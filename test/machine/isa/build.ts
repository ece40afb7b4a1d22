/*
 * Builds bulkhead's ISA conformance programs: every .S under test/machine/isa/{ui,um,mi,si}
 * becomes a bare-metal RV32IM ELF, linked at 0x80000000 by link.ld against the environment in
 * include/. Outputs are cached in os.tmpdir()/bulkhead-isa-<hash>, where the hash covers every
 * source, header, the linker script, the compiler flags and the compiler's version: a program
 * whose ELF is already there is not compiled again, and any edit gives a fresh directory.
 * ELFs are written under a temporary name and renamed, so concurrent builds never see half a file.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The program groups, after riscv-tests: user integer, multiply, machine, supervisor. */
export const ISA_GROUPS = ["ui", "um", "mi", "si"] as const;
export type IsaGroup = (typeof ISA_GROUPS)[number];

/** One built program. */
export interface IsaProgram {
  group: IsaGroup;
  /** File name without .S, e.g. "add". */
  name: string;
  /** Absolute path of the .S source. */
  source: string;
  /** Absolute path of the built ELF (in the cache directory). */
  elf: string;
}

export interface IsaBuildOptions {
  /** The compiler driver; default "clang" (14 or later, with ld.lld). */
  clang?: string;
  /** Where cache directories are made; default os.tmpdir(). */
  cacheRoot?: string;
}

export type IsaBuildResult = { ok: true; programs: IsaProgram[]; cacheDir: string } | { ok: false; error: string };

/** The directory of this file, which holds include/, link.ld and the group folders. */
export const ISA_DIR = dirname(fileURLToPath(import.meta.url));

const CFLAGS = [
  "--target=riscv32-unknown-elf",
  "-march=rv32im",
  "-mabi=ilp32",
  "-mno-relax",
  "-nostdlib",
  "-nostartfiles",
  "-ffreestanding",
  "-fuse-ld=lld",
  "-Wno-unused-command-line-argument",
];

/**
 * Builds (or finds in the cache) every program. Returns them sorted by group then name, or an
 * error naming the program that did not build and the compiler's message.
 */
export async function buildIsaPrograms(opts: IsaBuildOptions = {}): Promise<IsaBuildResult> {
  const clang = opts.clang ?? "clang";
  const version = await run(clang, ["--version"]);
  if (!version.ok) return { ok: false, error: `cannot run ${clang}: ${version.error}` };

  const sources = listSources();
  const cacheDir = join(opts.cacheRoot ?? tmpdir(), `bulkhead-isa-${fingerprint(sources, clang, version.out)}`);
  const programs = sources.map((source): IsaProgram => {
    const group = basename(dirname(source)) as IsaGroup;
    const name = basename(source, ".S");
    return { group, name, source, elf: join(cacheDir, group, `${name}.elf`) };
  });

  const todo = programs.filter((p) => !existsSync(p.elf));
  const errors: string[] = [];
  await inParallel(todo, availableParallelism(), async (p) => {
    const err = await compile(clang, p);
    if (err) errors.push(err);
  });
  if (errors.length > 0) return { ok: false, error: errors.sort().join("\n") };
  return { ok: true, programs, cacheDir };
}

/** Absolute paths of all .S files of all groups, sorted. */
function listSources(): string[] {
  const out: string[] = [];
  for (const group of ISA_GROUPS) {
    const dir = join(ISA_DIR, group);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".S")) out.push(join(dir, f));
  }
  return out;
}

/** Hash of everything an ELF depends on: sources, headers, linker script, flags, compiler. */
function fingerprint(sources: string[], clang: string, clangVersion: string): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ clang, clangVersion, CFLAGS }));
  const includeDir = join(ISA_DIR, "include");
  const headers = readdirSync(includeDir)
    .sort()
    .map((f) => join(includeDir, f));
  for (const file of [join(ISA_DIR, "link.ld"), ...headers, ...sources]) {
    h.update(relative(ISA_DIR, file));
    h.update("\0");
    h.update(readFileSync(file));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

/** Compiles one program to its ELF path; returns an error message or undefined. */
async function compile(clang: string, p: IsaProgram): Promise<string | undefined> {
  mkdirSync(dirname(p.elf), { recursive: true });
  const tmp = `${p.elf}.${process.pid}.${Math.floor(performance.now())}.tmp`;
  const args = [...CFLAGS, "-T", join(ISA_DIR, "link.ld"), "-I", join(ISA_DIR, "include"), "-o", tmp, p.source];
  const r = await run(clang, args);
  if (!r.ok) return `${p.group}/${p.name}.S: ${r.error}`;
  renameSync(tmp, p.elf);
  return undefined;
}

type RunResult = { ok: true; out: string } | { ok: false; error: string };

function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, error: `${stderr || err.message}`.trim() });
      else resolve({ ok: true, out: stdout });
    });
  });
}

/** Runs `work` on every item with at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
