/*
 * A running system: the machine, the kernel of one build, and the processes of a boot list.
 * run() advances emulated time; snapshot()/restore() copy machine and kernel state together;
 * stateHash() identifies the whole state. Nothing here knows about campaigns.
 */
import { createHash } from "node:crypto";
import type { Build } from "./builds/types.js";
import type { ServiceConf } from "./kernel/service.js";
import type { ChannelDecl } from "./kernel/channels.js";
import { fingerprint } from "./builds/index.js";
import { loadImage } from "./drivers/images.js";
import { Kernel } from "./kernel/kernel.js";
import { domainOf, type KernelState } from "./kernel/state.js";
import type { NativeRegistry } from "./kernel/native.js";
import { spawn } from "./kernel/spawn.js";
import { lookupEndpoint } from "./kernel/proc.js";
import { procTranslate } from "./kernel/vm.js";
import { Machine, type MachineSnapshot, type MachineStop, type RamChanges } from "./machine/machine.js";
import type { Peripheral } from "./machine/devices/index.js";
import { disassemble } from "./machine/disasm.js";
import { modeName } from "./machine/trap.js";
import type { RsState } from "./servers/rs/types.js";

export interface SystemOptions {
  build: Build;
  /** Processes to start, in order. */
  boot: ServiceConf[];
  /** Native programs available to the boot list. */
  natives?: NativeRegistry;
  /** Guest images by name; loaded from system/drivers/images when absent. */
  images?: Record<string, Uint8Array>;
  /** Further images to load (those of services that RS starts later). */
  imageNames?: string[];
  /** The channels each image's manifest declares, by image name (Singularity builds: kernel/channels.ts). */
  manifests?: Record<string, ChannelDecl[]>;
  /** Disk: size in sectors, or an image (the machine's default ATA disk, when `peripherals` is absent). */
  disk?: number | Uint8Array;
  /** The machine's peripherals (default: an ATA disk). */
  peripherals?: Peripheral[];
  ramSize?: number;
}

export type SystemStop = "panic" | MachineStop;

export interface SystemSnapshot {
  machine: MachineSnapshot;
  kernel: KernelState;
  /** The pristine images (a persistent fault changes them). */
  images: Record<string, Uint8Array>;
}

export class System {
  readonly machine: Machine;
  readonly kernel: Kernel;
  readonly images: Record<string, Uint8Array>;
  readonly fingerprint: string;

  private constructor(opts: SystemOptions, images: Record<string, Uint8Array>) {
    this.machine = new Machine({ hosted: true, disk: opts.disk, peripherals: opts.peripherals, ramSize: opts.ramSize });
    this.kernel = new Kernel(this.machine, opts.build, opts.natives ?? {});
    this.images = images;
    this.kernel.images = images;
    this.kernel.manifests = opts.manifests ?? {};
    this.fingerprint = fingerprint(opts.build, images, this.kernel.manifests);
  }

  /** Boots `opts.boot` on a fresh machine; an error names the service that could not start. */
  static boot(opts: SystemOptions): { ok: true; system: System } | { ok: false; error: string } {
    const images: Record<string, Uint8Array> = { ...(opts.images ?? {}) };
    const names = [...opts.boot.flatMap((s) => ("guest" in s.program ? [s.program.guest] : [])), ...(opts.imageNames ?? [])];
    for (const name of names) {
      if (images[name]) continue;
      const img = loadImage(name);
      if (!img.ok) return img;
      images[name] = img.bytes;
    }
    const sys = new System(opts, images);
    for (const s of opts.boot) {
      const r = spawn(sys.kernel, s, "guest" in s.program ? images[s.program.guest] : undefined);
      if (!r.ok) return { ok: false, error: `cannot start ${s.label}: ${r.error}` };
    }
    sys.kernel.start();
    return { ok: true, system: sys };
  }

  /** Starts one more process (e.g. the workload, once the system is up) and lets the kernel run it. */
  start(conf: ServiceConf): { ok: true } | { ok: false; error: string } {
    const r = spawn(this.kernel, conf);
    if (!r.ok) return r;
    this.kernel.start();
    return { ok: true };
  }

  /** Runs until `cycles` more cycles have passed, or the kernel panics / the machine halts. */
  run(cycles: number): SystemStop {
    if (this.kernel.state.panic) return "panic";
    const r = this.machine.run(this.machine.clock.now + cycles);
    return this.kernel.state.panic ? "panic" : r;
  }

  /** Runs until `done()` holds (checked every `step` cycles) or `cycles` have passed. */
  runUntil(done: () => boolean, cycles: number, step = 1_000_000): SystemStop | "done" {
    const end = this.machine.clock.now + cycles;
    while (!done()) {
      if (this.machine.clock.now >= end) return "limit";
      const r = this.run(Math.min(step, end - this.machine.clock.now));
      if (r !== "limit") return r;
    }
    return "done";
  }

  /** The emulated clock (cycles since power-on). */
  now(): number {
    return this.machine.clock.now;
  }

  /** Removes every execution breakpoint (they are not part of snapshots). */
  clearBreakpoints(): void {
    this.machine.cpu.setBreakpoints([]);
  }

  /** Calls `line` with each executed guest instruction, disassembled (null: stop tracing). */
  setTrace(line: ((text: string) => void) | null): void {
    this.machine.trace = line && ((pc, insn, mode, cycle) =>
      line(`${String(cycle).padStart(12)} ${modeName(mode)} ${(pc >>> 0).toString(16).padStart(8, "0")}: ${insn === undefined ? "(fetch fault)" : disassemble(insn, pc)}`));
  }

  /** Kernel events, RS events and the kernel's refusals since cycle `since`, in time order. */
  timeline(since: number): Array<{ at: number; text: string }> {
    const k = this.kernel.state;
    const rs = this.nativeState<RsState>("rs")?.events ?? [];
    return [
      ...k.events.filter((e) => e.at >= since).map((e) => ({ at: e.at, text: `kernel ${e.kind} ${e.label}: ${e.detail}` })),
      ...rs.filter((e) => e.at >= since).map((e) => ({ at: e.at, text: `rs ${e.kind} ${e.label}: ${e.detail}` })),
      ...k.denials.filter((d) => d.at >= since).map((d) => ({ at: d.at, text: `kernel denied ${d.kind} to ${d.label}` })),
    ].sort((a, b) => a.at - b.at);
  }

  /** The kernel's console (process diagnostics) followed by the UART output. */
  console(): string {
    return this.kernel.state.console + this.machine.uart.output();
  }

  snapshot(): SystemSnapshot {
    const images: Record<string, Uint8Array> = {};
    for (const [name, bytes] of Object.entries(this.images)) images[name] = bytes.slice();
    return { machine: this.machine.snapshot(), kernel: structuredClone(this.kernel.state), images };
  }

  /** Restores snapshot `s`; `ramChanged`: see Machine.restore (only with RAM untouched since the hash that filled it). */
  restore(s: SystemSnapshot, ramChanged?: RamChanges): void {
    this.machine.restore(s.machine, ramChanged);
    this.kernel.state = structuredClone(s.kernel);
    for (const [name, bytes] of Object.entries(s.images)) this.images[name].set(bytes);
  }

  /** Physical address of virtual address `va` in the live process `label`, or undefined. */
  translate(label: string, va: number): number | undefined {
    const ep = this.kernel.lookupLabel(label);
    if (ep === undefined) return undefined;
    const idx = lookupEndpoint(this.kernel.km, ep);
    const pa = procTranslate(this.kernel.km, idx, va, false);
    return pa < 0 ? undefined : pa;
  }

  /** The protection domain (page ownership) of the live process `label`, or undefined. */
  domainOf(label: string): number | undefined {
    const ep = this.kernel.lookupLabel(label);
    return ep === undefined ? undefined : domainOf(lookupEndpoint(this.kernel.km, ep));
  }

  /** The state of the native process labelled `label` (e.g. a workload's progress), if alive. */
  nativeState<S>(label: string): S | undefined {
    const s = this.kernel.state;
    for (const [idx, n] of Object.entries(s.natives)) if (this.kernel.km.procName(Number(idx)) === label) return n.state as S;
    return undefined;
  }

  /** Hash over the machine's state and the kernel's (`ref`: a snapshot to speed it up; same value). */
  stateHash(ref?: SystemSnapshot, ramChanged?: RamChanges): string {
    return createHash("sha256").update(this.machine.stateHash(ref?.machine, ramChanged)).update(JSON.stringify(this.kernel.state)).digest("hex");
  }
}
