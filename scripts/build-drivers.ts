/*
 * Builds the guest drivers: every directory under system/drivers/ that holds a driver.json is
 * compiled (its .c/.S files plus libsys in system/drivers/lib/) for RV32IM with clang and linked
 * with lld by system/drivers/driver.ld into system/drivers/images/<name>.elf. Then
 * system/drivers/images/manifest.json records, per driver, the sha256 of every input (sources,
 * headers, driver.json, the linker script and this script, which holds the flags) and of the
 * image, so test/drivers/build.test.ts can tell when an image is stale.
 *
 * The build is reproducible: clang runs in the repository root on relative paths (plus
 * -ffile-prefix-map), objects are linked in a fixed order, there is no build id and no .comment,
 * so the same sources and compiler give a byte-identical ELF.
 *
 * Usage: npm run build:drivers [-- --out <dir>]   (with --out, no manifest is written)
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root (this file is scripts/build-drivers.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Repository-relative locations (POSIX separators, as recorded in the manifest). */
export const DRIVERS_DIR = "system/drivers";
export const LIB_DIR = "system/drivers/lib";
export const INCLUDE_DIR = "system/drivers/include";
export const LINKER_SCRIPT = "system/drivers/driver.ld";
export const IMAGES_DIR = "system/drivers/images";
export const MANIFEST = "system/drivers/images/manifest.json";
export const BUILD_SCRIPT = "scripts/build-drivers.ts";
/** Directories under system/drivers/ that are not drivers. */
const NOT_DRIVERS = new Set(["lib", "include", "images"]);

const TARGET = ["--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32"];

/**
 * Compiler flags. -fno-inline-functions keeps every function a real function with its own
 * symbol (fault injection picks sites by function); only `inline` functions are inlined. Every
 * function and object gets its own section so the link (--gc-sections) drops what a driver
 * never uses: libsys holds every framework (blockdriver, netdriver), and a driver's image holds
 * only its own, so no fault site lies in code the driver cannot run.
 */
export const CFLAGS = [
  ...TARGET,
  "-O2",
  "-g0",
  "-ffreestanding",
  "-fno-builtin",
  "-nostdlib",
  "-fno-pic",
  "-mno-relax",
  "-fno-inline-functions",
  "-ffunction-sections",
  "-fdata-sections",
  "-Wall",
  "-Wextra",
  "-Werror",
];

export const LDFLAGS = [...TARGET, "-nostdlib", "-static", "-fuse-ld=lld", `-Wl,-T,${LINKER_SCRIPT}`, "-Wl,--build-id=none", "-Wl,--gc-sections", "-Wl,--fatal-warnings"];

/** One entry of manifest.json. */
export interface ManifestEntry {
  /** Repository-relative path -> sha256 (hex) of every input of the image. */
  sources: Record<string, string>;
  /** sha256 of the ELF image. */
  image: string;
  /** First line of `clang --version` used for the build (a rebuild is byte-identical only with it). */
  compiler: string;
}
export type Manifest = Record<string, ManifestEntry>;

export interface BuiltDriver {
  name: string;
  /** Absolute path of the ELF written. */
  elf: string;
  entry: ManifestEntry;
}

export type BuildResult = { ok: true; drivers: BuiltDriver[] } | { ok: false; error: string };

export interface BuildOptions {
  /** Repository root; default REPO_ROOT. */
  root?: string;
  /** Where the ELFs go; default <root>/system/drivers/images. */
  outDir?: string;
  /** The compiler driver; default "clang". */
  clang?: string;
}

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Names of the drivers: directories under system/drivers/ with a driver.json, sorted. */
export function listDrivers(root = REPO_ROOT): string[] {
  const dir = join(root, DRIVERS_DIR);
  return readdirSync(dir)
    .filter((n) => !NOT_DRIVERS.has(n) && statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, "driver.json")))
    .sort();
}

/** Repository-relative paths of the regular files directly in `rel`, sorted. */
function filesIn(root: string, rel: string): string[] {
  return readdirSync(join(root, rel))
    .filter((n) => statSync(join(root, rel, n)).isFile())
    .sort()
    .map((n) => `${rel}/${n}`);
}

const isCompiled = (path: string): boolean => path.endsWith(".c") || path.endsWith(".S");

/** The files compiled into driver `name`: its own .c/.S, then libsys's, each group sorted. */
export function compiledSources(name: string, root = REPO_ROOT): string[] {
  return [...filesIn(root, `${DRIVERS_DIR}/${name}`), ...filesIn(root, LIB_DIR)].filter(isCompiled);
}

/**
 * Every input of driver `name`'s image, sorted: all files of its directory, of lib/ and of
 * include/, the linker script and this build script.
 */
export function driverInputs(name: string, root = REPO_ROOT): string[] {
  const files = [`${DRIVERS_DIR}/${name}`, LIB_DIR, INCLUDE_DIR].flatMap((d) => filesIn(root, d));
  return [...files, LINKER_SCRIPT, BUILD_SCRIPT].sort();
}

/** First line of `clang --version`, or an error line if clang or ld.lld cannot be run. */
export function compilerVersion(clang = "clang"): { ok: true; version: string } | { ok: false; error: string } {
  const cc = spawnSync(clang, ["--version"], { encoding: "utf8" });
  if (cc.error || cc.status !== 0) {
    return { ok: false, error: `${clang} not found (${cc.error?.message ?? `exit ${cc.status}`}): install clang 14+ and lld to build the drivers` };
  }
  const ld = spawnSync("ld.lld", ["--version"], { encoding: "utf8" });
  if (ld.error || ld.status !== 0) return { ok: false, error: "ld.lld not found: install lld to build the drivers" };
  return { ok: true, version: cc.stdout.split("\n")[0].trim() };
}

/** Runs a command in `cwd`; returns an error text (command and its output) or undefined. */
function run(cmd: string, args: string[], cwd: string): string | undefined {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.error) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return `${cmd} ${args.join(" ")}\n${(r.stderr + r.stdout).trim()}`;
  return undefined;
}

/** Compiles and links driver `name` into <outDir>/<name>.elf, objects in objDir. */
function buildOne(name: string, root: string, outDir: string, objDir: string, clang: string, compiler: string): BuiltDriver | { error: string } {
  const include = ["-I", INCLUDE_DIR, "-I", LIB_DIR, "-I", `${DRIVERS_DIR}/${name}`, `-ffile-prefix-map=${root}/=`];
  const objects: string[] = [];
  for (const src of compiledSources(name, root)) {
    const obj = join(objDir, `${src.replace(/\//g, "__")}.o`);
    const err = run(clang, [...CFLAGS, ...include, "-c", src, "-o", obj], root);
    if (err) return { error: `${name}: ${src} does not compile:\n${err}` };
    objects.push(obj);
  }
  const elf = join(outDir, `${name}.elf`);
  const tmp = `${elf}.tmp`;
  const err = run(clang, [...LDFLAGS, "-o", tmp, ...objects], root);
  if (err) return { error: `${name}: link failed:\n${err}` };
  renameSync(tmp, elf);
  const sources = Object.fromEntries(driverInputs(name, root).map((p) => [p, sha256(readFileSync(join(root, p)))]));
  return { name, elf, entry: { sources, image: sha256(readFileSync(elf)), compiler } };
}

/** Builds every driver. Returns the built drivers or the first error (one paragraph). */
export function buildDrivers(opts: BuildOptions = {}): BuildResult {
  const root = opts.root ?? REPO_ROOT;
  const clang = opts.clang ?? "clang";
  const outDir = opts.outDir ?? join(root, IMAGES_DIR);
  const cc = compilerVersion(clang);
  if (!cc.ok) return cc;
  mkdirSync(outDir, { recursive: true });
  const objRoot = mkdtempSync(join(tmpdir(), "bulkhead-drivers-"));
  try {
    const drivers: BuiltDriver[] = [];
    for (const name of listDrivers(root)) {
      const objDir = join(objRoot, name);
      mkdirSync(objDir);
      const built = buildOne(name, root, outDir, objDir, clang, cc.version);
      if ("error" in built) return { ok: false, error: built.error };
      drivers.push(built);
    }
    return { ok: true, drivers };
  } finally {
    rmSync(objRoot, { recursive: true, force: true });
  }
}

/** manifest.json text for the built drivers: names and paths sorted, two-space indented. */
export function manifestText(drivers: BuiltDriver[]): string {
  const manifest: Manifest = {};
  for (const d of [...drivers].sort((a, b) => a.name.localeCompare(b.name))) manifest[d.name] = d.entry;
  return JSON.stringify(manifest, null, 2) + "\n";
}

/** Reads manifest.json; undefined if it does not exist. */
export function readManifest(root = REPO_ROOT): Manifest | undefined {
  const path = join(root, MANIFEST);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Manifest) : undefined;
}

function main(argv: string[]): number {
  const outIndex = argv.indexOf("--out");
  const outDir = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  if (outIndex >= 0 && !outDir) {
    console.error("build-drivers: --out needs a directory");
    return 2;
  }
  const result = buildDrivers({ outDir: outDir && resolve(outDir) });
  if (!result.ok) {
    console.error(`build-drivers: ${result.error}`);
    return 1;
  }
  for (const d of result.drivers) {
    const size = statSync(d.elf).size;
    console.log(`${relative(process.cwd(), d.elf)}: ${size} bytes, sha256 ${d.entry.image.slice(0, 16)}...`);
  }
  if (!outDir) {
    writeFileSync(join(REPO_ROOT, MANIFEST), manifestText(result.drivers));
    console.log(`${MANIFEST}: ${result.drivers.length} driver(s)`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
