/*
 * The committed driver images against their sources: system/drivers/images/manifest.json must
 * name every input of every driver with its current sha256 (else the image is stale), the image
 * must be the one the manifest names, it must have the layout the kernel's loader expects
 * (abi.h's driver memory layout, function symbols for fault injection), the drivers' hardware
 * constants must match the emulated machine, and a rebuild must be byte-identical.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildDrivers,
  compilerVersion,
  DRIVERS_DIR,
  driverInputs,
  IMAGES_DIR,
  listDrivers,
  readManifest,
  REPO_ROOT,
  sha256,
} from "../../scripts/build-drivers.js";
import { DRIVER_STACK_SIZE, DRIVER_STACK_TOP, DRIVER_TEXT_BASE } from "../../system/kernel/abi.js";
import * as ata from "../../system/machine/devices/ata.js";
import * as rtl from "../../system/machine/devices/rtl8139.js";
import { findSymbol, parseElf, PF_W, PF_X, type ElfImage } from "../../system/machine/elf.js";
import * as memmap from "../../system/machine/memmap.js";

const REBUILD = "run npm run build:drivers";
const PAGE = 4096;
const manifest = readManifest() ?? {};
const drivers = listDrivers();
const read = (rel: string): Buffer => readFileSync(join(REPO_ROOT, rel));
const imagePath = (name: string): string => `${IMAGES_DIR}/${name}.elf`;

function image(name: string): ElfImage {
  const r = parseElf(read(imagePath(name)));
  if (!r.ok) throw new Error(`${imagePath(name)}: ${r.error}`);
  return r.elf;
}

/** The function symbols driver.json says the driver must have (its main handlers). */
function handlers(name: string): string[] {
  const json = JSON.parse(read(`${DRIVERS_DIR}/${name}/driver.json`).toString("utf8")) as { handlers?: string[] };
  return json.handlers ?? [];
}

describe("the driver manifest", () => {
  it("lists exactly the drivers under system/drivers/", () => {
    expect(drivers.length).toBeGreaterThan(0);
    const missing = drivers.filter((d) => !(d in manifest)).map((d) => `${d}: not in the manifest; ${REBUILD}`);
    const gone = Object.keys(manifest).filter((d) => !drivers.includes(d)).map((d) => `${d}: in the manifest but has no driver.json`);
    expect([...missing, ...gone]).toEqual([]);
  });

  it.each(drivers)("%s: every source is unchanged since the image was built", (name) => {
    const entry = manifest[name];
    expect(entry, `${name}: not in the manifest; ${REBUILD}`).toBeDefined();
    expect(Object.keys(entry.sources).length, `${name}: the manifest lists no sources`).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const [path, hash] of Object.entries(entry.sources)) {
      let bytes: Buffer;
      try {
        bytes = read(path);
      } catch {
        problems.push(`${name}: ${path} no longer exists but the image was built from it; ${REBUILD}`);
        continue;
      }
      if (sha256(bytes) !== hash) problems.push(`${name}: ${path} changed since its image was built; ${REBUILD}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(drivers)("%s: every file of the driver, lib/ and include/ is in the manifest", (name) => {
    const listed = new Set(Object.keys(manifest[name]?.sources ?? {}));
    expect(driverInputs(name).length).toBeGreaterThan(0);
    const unlisted = driverInputs(name)
      .filter((p) => !listed.has(p))
      .map((p) => `${name}: ${p} is not in the manifest (added after the image was built); ${REBUILD}`);
    expect(unlisted).toEqual([]);
  });

  it.each(drivers)("%s: the image is the one the manifest names", (name) => {
    const hash = sha256(read(imagePath(name)));
    expect(hash, `${name}: ${imagePath(name)} does not match the manifest; ${REBUILD}`).toBe(manifest[name]?.image);
  });
});

describe("the driver images", () => {
  it.each(drivers)("%s: parses, starts at _start = DRIVER_TEXT_BASE in .text", (name) => {
    const elf = image(name);
    const text = elf.sections.find((s) => s.name === ".text")!;
    expect(text.addr).toBe(DRIVER_TEXT_BASE);
    expect(elf.entry).toBe(DRIVER_TEXT_BASE);
    expect(elf.entry).toBe(findSymbol(elf, "_start")?.value);
    expect(elf.entry >= text.addr && elf.entry < text.addr + text.size).toBe(true);
  });

  it.each(drivers)("%s: loads only page-aligned segments below the stack, text first, none W+X", (name) => {
    const elf = image(name);
    const stackBottom = DRIVER_STACK_TOP - DRIVER_STACK_SIZE;
    expect(elf.segments[0].vaddr).toBe(DRIVER_TEXT_BASE);
    expect(elf.segments[0].flags & PF_X).toBe(PF_X);
    let end = DRIVER_TEXT_BASE;
    for (const s of elf.segments) {
      expect(s.vaddr % PAGE).toBe(0);
      expect(s.vaddr).toBeGreaterThanOrEqual(end); // in order, no overlap
      expect(s.vaddr + s.memsz).toBeLessThanOrEqual(stackBottom);
      expect(s.flags & (PF_W | PF_X)).not.toBe(PF_W | PF_X);
      end = s.vaddr + s.memsz;
    }
  });

  it.each(drivers)("%s: the linker script's stack top is DRIVER_STACK_TOP", (name) => {
    expect(findSymbol(image(name), "__stack_top")?.value).toBe(DRIVER_STACK_TOP);
  });

  it.each(drivers)("%s: has a function symbol for each of its main handlers", (name) => {
    const elf = image(name);
    const wanted = ["_start", "_ipc_trap", ...handlers(name)];
    const missing = wanted.filter((h) => {
      const sym = elf.symbols.find((s) => s.name === h && s.type === "func");
      return !sym || sym.size === 0;
    });
    expect(missing, `${name}: no function symbol for ${missing.join(", ")}`).toEqual([]);
  });
});

describe("hardware constants in driver headers", () => {
  /** `#define NAME <integer literal>` lines of a header. */
  function literalDefines(rel: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of read(rel).toString("utf8").matchAll(/^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)u?\b/gm)) out.set(m[1], Number(m[2]));
    return out;
  }
  const machine: Record<string, unknown> = { ...memmap, ...ata };

  it("at_wini.h agrees with memmap.ts and devices/ata.ts on every name they share", () => {
    const defines = literalDefines(`${DRIVERS_DIR}/at_wini/at_wini.h`);
    const shared = [...defines.keys()].filter((n) => typeof machine[n] === "number");
    expect(shared).toEqual(expect.arrayContaining(["PORT_ATA_CMD", "PORT_ATA_CTRL", "PORT_ATA_BM", "IRQ_ATA", "ATA_BSY", "CMD_READ_DMA"]));
    const wrong = shared.filter((n) => defines.get(n) !== machine[n]).map((n) => `${n}: at_wini.h ${defines.get(n)}, TypeScript ${machine[n]}`);
    expect(wrong).toEqual([]);
  });

  it("rtl8139.h agrees with memmap.ts and devices/rtl8139.ts (RL_CR_RST is CR_RST, RL_INT_x is ISR_x, RL_RXS_x is RX_x, RL_IDR0 is RTL_IDR)", () => {
    const defines = literalDefines(`${DRIVERS_DIR}/rtl8139/rtl8139.h`);
    const nic: Record<string, unknown> = { ...memmap, ...rtl };
    const tsName = (n: string): string | undefined => {
      const base = n.replace(/^RL_/, "").replace(/^INT_/, "ISR_").replace(/^RXS_/, "RX_");
      return [n, base, `RTL_${base}`, `RTL_${base.replace(/0$/, "")}`].find((c) => typeof nic[c] === "number");
    };
    const shared = [...defines.keys()].filter((n) => tsName(n) !== undefined);
    expect(shared).toEqual(expect.arrayContaining(["PORT_RTL8139", "IRQ_RTL8139", "RL_IDR0", "RL_TSD0", "RL_RBSTART", "RL_CAPR", "RL_CR_BUFE", "RL_TSD_TOK", "RL_INT_ROK", "RL_RCR_APM", "RL_RXS_ROK", "RL_MSR_LINKB"]));
    const wrong = shared.filter((n) => defines.get(n) !== nic[tsName(n)!]).map((n) => `${n}: rtl8139.h ${defines.get(n)}, TypeScript ${tsName(n)} ${nic[tsName(n)!]}`);
    expect(wrong).toEqual([]);
  });
});

const cc = compilerVersion();

describe.skipIf(!cc.ok)("a rebuild", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function rebuild(): string {
    const dir = mkdtempSync(join(tmpdir(), "bulkhead-drivers-test-"));
    dirs.push(dir);
    const r = buildDrivers({ outDir: dir });
    if (!r.ok) throw new Error(r.error);
    return dir;
  }

  it("is byte-identical to another rebuild, and to the committed image with the same compiler", () => {
    const [a, b] = [rebuild(), rebuild()];
    for (const name of drivers) {
      const bytes = readFileSync(join(a, `${name}.elf`));
      expect(bytes.equals(readFileSync(join(b, `${name}.elf`))), `${name}: two builds differ`).toBe(true);
      if (cc.ok && manifest[name]?.compiler === cc.version) {
        expect(sha256(bytes), `${name}: a rebuild differs from ${imagePath(name)}; ${REBUILD}`).toBe(manifest[name].image);
      }
    }
  }, 240_000); // two full builds, one clang run per source file and driver: minutes on a loaded machine
});
