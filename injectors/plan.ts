/*
 * The fault planner: a FaultModel and a seeded rng in, concrete Faults out. Pure — it reads only
 * the driver's ELF image (sites come from .text and the function symbols) and draws every random
 * choice from the rng, in a fixed order: the type (RANDOM only), the variant (if the model leaves
 * it open), the site, then the mutation or action parameters. Same image, model and rng seed ⇒
 * same faults. A model no site fits gives { ok: false, error } naming the type, the functions and
 * what such a site would be.
 */
import { parseElf, symbolize, type ElfImage } from "../system/machine/elf.js";
import { describeFault } from "./describe.js";
import { MUTATIONS, pick } from "./mutations.js";
import { analyze, type Func, type Insn, type Program, selectFuncs } from "./program.js";
import { hex8 } from "./rv32.js";
import { dmaPorts, RUNTIME } from "./runtime.js";
import {
  DMA_ADDRESSES, FAULT_TYPES, RANDOM_POOL, VARIANTS, type Fault, type FaultModel, type PlanOptions, type PlanResult, type ResolvedType, type Rng,
} from "./types.js";

/** What a site of each type is, for the "no site" error. */
const SITE_WHAT: Record<ResolvedType, string> = {
  TEXT: "no instruction",
  NOP: "no instruction other than a NOP",
  SRC: "no instruction that reads a register",
  DST: "no instruction that writes a register other than x0",
  PTR: "no load or store",
  INTERFACE: "no call whose argument register is set up in its basic block",
  LOOP: "no backward conditional branch",
  BRANCH: "no conditional branch",
  INIT: "no store that initialises a stack slot",
  BAD_POINTER: "no load or store through a pointer register (base other than zero, sp, gp, tp)",
  INFINITE_LOOP: "no instruction (self-branch) or loop with a single conditional exit (loop-never-ends)",
  BAD_PORT_WRITE: "no port-writing libsys function (sys_outb, sys_outw, sys_outl)",
  BAD_DMA: "no sys_outl (libsys's 32-bit port write, through which a driver hands its device a DMA address)",
  REG_FLIP: "no instruction",
  MEM_FLIP: "no instruction, or no writable data",
};

/** One model on one program: the selected functions, the filters, and the sites found so far. */
interface Ctx {
  p: Program;
  funcs: Func[];
  model: FaultModel;
  executed?: Set<number>;
  /** Sites by "type/variant" (planning many faults of one model finds them once). */
  cache: Map<string, Insn[]>;
}

function makeCtx(p: Program, model: FaultModel, opts: PlanOptions): Ctx | { error: string } {
  if (model.type === "BAD_DMA" && dmaPorts(model) === undefined) {
    return { error: `BAD_DMA in ${model.driver}: the model names no port and the driver declares no DMA-address port (driver.json: "dma": { "addressPort": "<hex>" })` };
  }
  const funcs = selectFuncs(p, model.targets, model.driver);
  if ("error" in funcs) return funcs;
  const executed = opts.executed && new Set(Array.from(opts.executed, (v) => v >>> 0));
  return { p, funcs, model, executed, cache: new Map() };
}

/**
 * Contexts (with the sites found so far) of models already planned on a program: a campaign
 * plans one fault per experiment, from a few models. A hit needs the same model and the same
 * executed addresses. A host-side cache only: it changes no result.
 */
const contexts = new WeakMap<Program, Map<string, Ctx>>();

function sameSet(a: Set<number> | undefined, b: number[] | undefined): boolean {
  if (!a || !b) return !a && !b;
  let n = 0;
  for (const v of b) {
    if (!a.has(v >>> 0)) return false;
    n++;
  }
  return n === a.size;
}

function contextOf(p: Program, model: FaultModel, opts: PlanOptions): Ctx | { error: string } {
  let known = contexts.get(p);
  if (!known) contexts.set(p, (known = new Map()));
  const key = JSON.stringify(model);
  const executed = opts.executed && Array.from(opts.executed); // an iterable may be read once only
  const c = known.get(key);
  if (c && sameSet(c.executed, executed)) return c;
  const made = makeCtx(p, model, { ...opts, executed });
  if (!("error" in made)) known.set(key, made);
  return made;
}

/** The sites of `type` (and `variant`) in the selected functions, after the model's and options' filters. */
function sitesOf(c: Ctx, type: ResolvedType, variant: string | undefined): Insn[] {
  const key = `${type}/${variant ?? ""}`;
  const known = c.cache.get(key);
  if (known) return known;
  const def = MUTATIONS[type] ?? RUNTIME[type];
  let sites = c.funcs.flatMap((f) => def.sites(c.p, f, variant));
  if (c.executed) sites = sites.filter((i) => c.executed!.has(i.va));
  if (c.model.site !== undefined) sites = sites.filter((i) => i.va === c.model.site! >>> 0);
  c.cache.set(key, sites);
  return sites;
}

/** The variants of `type` that have at least one site ([undefined] for a type without variants). */
function viable(c: Ctx, type: ResolvedType): Array<string | undefined> {
  const vs = VARIANTS[type] ?? [undefined];
  return vs.filter((v) => sitesOf(c, type, v).length > 0);
}

function noSite(c: Ctx, type: ResolvedType | "RANDOM", variant?: string): string {
  const m = c.model;
  const where = m.targets ? `function${m.targets.length > 1 ? "s" : ""} ${m.targets.join(", ")}` : "its text";
  const filters = [m.site !== undefined ? `at ${hex8(m.site)}` : "", c.executed ? "among executed instructions" : ""].filter(Boolean);
  const what = type === "RANDOM" ? `none of ${RANDOM_POOL.join(", ")} has a site` : SITE_WHAT[type];
  return `no ${type}${variant ? " " + variant : ""} site in ${m.driver} (${where}${filters.length ? ", " + filters.join(", ") : ""}): ${what}`;
}

/** Checks the parts of a model the planner relies on; an error line or undefined. */
export function checkModel(m: FaultModel): string | undefined {
  if (!FAULT_TYPES.includes(m.type)) return `unknown fault type "${m.type}" (one of ${FAULT_TYPES.join(", ")})`;
  if (typeof m.driver !== "string" || m.driver === "") return "the fault model names no driver";
  const t = m.trigger;
  if (t?.kind === "nth" && !(Number.isInteger(t.n) && t.n >= 1)) return `trigger nth needs an integer n >= 1, not ${t.n}`;
  if (t?.kind === "cycle" && !(Number.isInteger(t.at) && t.at >= 0)) return `trigger cycle needs an integer at >= 0, not ${t.at}`;
  if (!t || !["first", "nth", "cycle"].includes(t.kind)) return "trigger must be first, nth or cycle";
  if (m.persistence !== "transient" && m.persistence !== "persistent") return `persistence must be transient or persistent, not "${m.persistence}"`;
  const vs = VARIANTS[m.type];
  if (m.variant !== undefined && !vs?.includes(m.variant)) {
    return vs ? `${m.type} has no variant "${m.variant}" (one of ${vs.join(", ")})` : `${m.type} has no variants`;
  }
  if (m.port !== undefined && ((m.type !== "BAD_PORT_WRITE" && m.type !== "BAD_DMA") || !Number.isInteger(m.port) || m.port < 0 || m.port > 0xffff)) {
    return "port is for BAD_PORT_WRITE and BAD_DMA only and must be 0..0xffff";
  }
  if (m.dmaAddress !== undefined && (m.type !== "BAD_DMA" || !DMA_ADDRESSES.includes(m.dmaAddress))) {
    return `dmaAddress is for BAD_DMA only and must be one of ${DMA_ADDRESSES.join(", ")}`;
  }
  return undefined;
}

/**
 * Programs of images already analysed, by image object: a campaign plans every experiment's
 * fault on the same image. A hit is checked against a copy of the bytes, so an image changed in
 * place is analysed again. A host-side cache only (like the JIT's): it changes no result.
 */
const programs = new WeakMap<Uint8Array, { bytes: Uint8Array; p: Program | { error: string } }>();

/** The program of an image given as bytes or parsed. */
export function programOf(image: Uint8Array | ElfImage): Program | { error: string } {
  if (!(image instanceof Uint8Array)) return analyze(image);
  const known = programs.get(image);
  if (known && Buffer.compare(known.bytes, image) === 0) return known.p;
  const r = parseElf(image);
  const p = r.ok ? analyze(r.elf) : { error: `not a driver image: ${r.error}` };
  programs.set(image, { bytes: image.slice(), p });
  return p;
}

/** Plans one fault of the context's model, drawing from rng. */
function planOne(c: Ctx, rng: Rng): PlanResult {
  const { p, model } = c;
  let type: ResolvedType;
  if (model.type === "RANDOM") {
    const pool = RANDOM_POOL.filter((t) => viable(c, t).length > 0);
    if (pool.length === 0) return { ok: false, error: noSite(c, "RANDOM") };
    type = pool[pick(rng, pool.length)];
  } else type = model.type;
  let variant = model.type === "RANDOM" ? undefined : model.variant;
  if (variant === undefined && VARIANTS[type]) {
    const vs = viable(c, type);
    if (vs.length === 0) return { ok: false, error: noSite(c, type) };
    variant = vs[pick(rng, vs.length)];
  }
  const sites = sitesOf(c, type, variant);
  if (sites.length === 0) return { ok: false, error: noSite(c, type, variant) };
  return { ok: true, fault: build(p, model, type, variant, sites[pick(rng, sites.length)], rng) };
}

/** The Fault record for site i: mutation or action, symbolized site, description. */
function build(p: Program, model: FaultModel, type: ResolvedType, variant: string | undefined, i: Insn, rng: Rng): Fault {
  const sym = symbolize(p.elf, i.va) ?? { name: p.funcs[i.fn].name, offset: i.va - p.funcs[i.fn].start };
  const common = {
    type, requested: model.type, ...(variant !== undefined ? { variant } : {}), driver: model.driver,
    site: { va: i.va, func: sym.name, offset: sym.offset }, trigger: { ...model.trigger }, persistence: model.persistence,
  };
  let fault: Fault;
  if (MUTATIONS[type]) {
    const m = MUTATIONS[type].mutate(i, rng, variant, p);
    if (m.mutated === i.word) throw new Error(`bug: ${type} mutation of ${hex8(i.va)} left the word unchanged`);
    const callSite = m.callSite !== undefined ? siteOf(p, m.callSite) : undefined;
    fault = { kind: "code", ...common, ...(callSite ? { callSite } : {}), ...(m.loop ? { loop: m.loop } : {}), original: i.word, mutated: m.mutated, description: "" };
  } else {
    const def = RUNTIME[type];
    const when = def.when?.(model);
    fault = { kind: "runtime", ...common, original: i.word, action: def.action(i, rng, variant, p, model), ...(when ? { when } : {}), description: "" };
  }
  fault.description = describeFault(fault, p.elf);
  return fault;
}

function siteOf(p: Program, va: number) {
  const s = symbolize(p.elf, va)!;
  return { va, func: s.name, offset: s.offset };
}

/**
 * One concrete fault of `model` in the driver `image`, every choice drawn from `rng`; or
 * { ok: false, error } when the model is malformed, the image unreadable, or no site fits.
 */
export function planFault(image: Uint8Array | ElfImage, model: FaultModel, rng: Rng, opts: PlanOptions = {}): PlanResult {
  const bad = checkModel(model);
  if (bad) return { ok: false, error: bad };
  const p = programOf(image);
  if ("error" in p) return { ok: false, error: p.error };
  const c = contextOf(p, model, opts);
  return "error" in c ? { ok: false, error: c.error } : planOne(c, rng);
}

/**
 * `count` faults of `model`, drawn one after another from the same rng (sites are drawn with
 * replacement, as in the SWIFI campaigns); the first error stops planning.
 */
export function planFaults(
  image: Uint8Array | ElfImage, model: FaultModel, count: number, rng: Rng, opts: PlanOptions = {},
): { ok: true; faults: Fault[] } | { ok: false; error: string } {
  const bad = checkModel(model);
  if (bad) return { ok: false, error: bad };
  const p = programOf(image);
  if ("error" in p) return { ok: false, error: p.error };
  const c = makeCtx(p, model, opts);
  if ("error" in c) return { ok: false, error: c.error };
  const faults: Fault[] = [];
  for (let k = 0; k < count; k++) {
    const r = planOne(c, rng);
    if (!r.ok) return r;
    faults.push(r.fault);
  }
  return { ok: true, faults };
}
