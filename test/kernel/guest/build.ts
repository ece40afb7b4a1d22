/*
 * Builds the kernel tests' guest programs: every .c in test/kernel/guest/ becomes an RV32IM ELF
 * linked exactly as a driver is (scripts/build-drivers.ts: the same CFLAGS and LDFLAGS, libsys
 * from system/drivers/lib, system/drivers/driver.ld), so a test program runs where and how a
 * driver runs. Outputs are cached in os.tmpdir()/bulkhead-kguest-<hash>, the hash covering the
 * programs, libsys, the ABI header, the linker script, the build script (which holds the flags)
 * and the compiler's version: an unchanged tree is not compiled again, any edit gives a fresh
 * directory. Objects are built in a private temporary directory and each ELF is renamed into the
 * cache, so test files building at the same time never see half a file.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_SCRIPT, CFLAGS, INCLUDE_DIR, LDFLAGS, LIB_DIR, LINKER_SCRIPT, REPO_ROOT } from "../../../scripts/build-drivers.js";

/** This directory: the guest programs' sources. */
export const GUEST_DIR = dirname(fileURLToPath(import.meta.url));

export type GuestBuild = { ok: true; images: Record<string, Uint8Array>; cacheDir: string } | { ok: false; error: string };

/** Repository-relative paths of the files in `dir` (absolute) whose names end in one of `exts`, sorted. */
function filesIn(dir: string, exts: string[]): string[] {
  return readdirSync(dir)
    .filter((n) => exts.some((e) => n.endsWith(e)))
    .sort()
    .map((n) => relative(REPO_ROOT, join(dir, n)));
}

const programSources = (): string[] => filesIn(GUEST_DIR, [".c"]);
const libSources = (): string[] => filesIn(join(REPO_ROOT, LIB_DIR), [".c", ".S"]);

/** Hash of everything an image depends on. */
function fingerprint(compiler: string): string {
  const inputs = [
    ...filesIn(GUEST_DIR, [".c", ".h"]),
    ...filesIn(join(REPO_ROOT, LIB_DIR), [".c", ".S", ".h"]),
    ...filesIn(join(REPO_ROOT, INCLUDE_DIR), [".h"]),
    LINKER_SCRIPT,
    BUILD_SCRIPT,
  ];
  const h = createHash("sha256");
  h.update(JSON.stringify({ compiler, CFLAGS, LDFLAGS }));
  for (const rel of inputs) h.update(`${rel}\0`).update(readFileSync(join(REPO_ROOT, rel))).update("\0");
  return h.digest("hex").slice(0, 16);
}

type RunResult = { ok: true; out: string } | { ok: false; error: string };

/** Runs a command in the repository root (build-drivers' paths are relative to it). */
function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: REPO_ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, error: `${cmd} ${args.join(" ")}\n${(stderr || err.message).trim()}` });
      else resolve({ ok: true, out: stdout });
    });
  });
}

/** Runs `work` on every item, at most `limit` at a time; returns the errors. */
async function inParallel<T>(items: T[], work: (item: T) => Promise<string | undefined>): Promise<string[]> {
  const errors: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const err = await work(items[next++]);
      if (err) errors.push(err);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), items.length)) }, worker));
  return errors.sort();
}

const objectName = (objDir: string, src: string): string => join(objDir, `${src.replace(/\//g, "__")}.o`);

/** Compiles libsys and every program in objDir and links the programs into cacheDir. */
async function buildAll(cacheDir: string, objDir: string): Promise<string | undefined> {
  const include = ["-I", INCLUDE_DIR, "-I", LIB_DIR, `-ffile-prefix-map=${REPO_ROOT}/=`];
  const lib = libSources();
  const programs = programSources();
  const compileErrors = await inParallel([...lib, ...programs], async (src) => {
    const r = await run("clang", [...CFLAGS, ...include, "-c", src, "-o", objectName(objDir, src)]);
    return r.ok ? undefined : `${src} does not compile:\n${r.error}`;
  });
  if (compileErrors.length) return compileErrors.join("\n");
  mkdirSync(cacheDir, { recursive: true });
  const linkErrors = await inParallel(programs, async (src) => {
    const name = basename(src, ".c");
    const tmp = join(objDir, `${name}.elf`);
    const r = await run("clang", [...LDFLAGS, "-o", tmp, objectName(objDir, src), ...lib.map((l) => objectName(objDir, l))]);
    if (!r.ok) return `${src}: link failed:\n${r.error}`;
    renameSync(tmp, join(cacheDir, `${name}.elf`));
    return undefined;
  });
  return linkErrors.length ? linkErrors.join("\n") : undefined;
}

/**
 * Builds (or finds in the cache) every guest program. Returns the images by program name (the
 * file name without .c), or an error naming what did not compile or link and why.
 */
export async function buildGuests(cacheRoot = tmpdir()): Promise<GuestBuild> {
  const version = await run("clang", ["--version"]);
  if (!version.ok) return { ok: false, error: `cannot run clang (install clang 14+ and lld): ${version.error}` };
  const cacheDir = join(cacheRoot, `bulkhead-kguest-${fingerprint(version.out.split("\n")[0])}`);
  const names = programSources().map((src) => basename(src, ".c"));
  if (!names.every((n) => existsSync(join(cacheDir, `${n}.elf`)))) {
    const objDir = mkdtempSync(join(cacheRoot, "bulkhead-kguest-obj-"));
    try {
      const err = await buildAll(cacheDir, objDir);
      if (err) return { ok: false, error: err };
    } finally {
      rmSync(objDir, { recursive: true, force: true });
    }
  }
  const images = Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(join(cacheDir, `${n}.elf`)))]));
  return { ok: true, images, cacheDir };
}
