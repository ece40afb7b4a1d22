/*
 * Running native processes: the kernel calls their handlers when they are ready (a message
 * arrived, their sendrec failed, or they were just created), gives them the NativeApi, and
 * afterwards puts them back to receiving. Their IPC goes through the same code as guest IPC.
 */
import { ANY, CPF_USED, CPF_VALID, ELOCKED, M_SOURCE, NONE, OK } from "./abi.js";
import * as ipc from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { PROC, RTS_SLOT_FREE, PRIV } from "./layout.js";
import { set32, type Message } from "./message.js";
import { NATIVE_CALLBUF, NATIVE_INBOX, NATIVE_GRANTS, NATIVE_MAX_GRANTS, NATIVE_START, type NativeApi, type NativeSys } from "./native.js";
import { lookupEndpoint } from "./proc.js";
import { copyFrom } from "./vm.js";
import { bootParams } from "./proc.js";
import { pushRun, shiftRun, takeAsyncFor } from "./queues.js";
import { NR_SLOTS } from "./params.js";
import { spawn } from "./spawn.js";
import { safecopy } from "./calls/safecopy.js";

/** Handler invocations per kernel entry before we call it a livelock. */
const MAX_RUNS = 10_000;

/** Runs every ready native process until none is ready. */
export function runNatives(k: Kernel): void {
  const s = k.state;
  const km = k.km;
  const next: [number, number] = [0, 0];
  for (let n = 0; shiftRun(km, next); n++) {
    if (n >= MAX_RUNS) return k.panic("native processes livelock (more than 10000 handler runs in one kernel entry)");
    const [idx, result] = next;
    const slot = s.natives[idx];
    if (!slot || km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE) continue;
    k.charge("nativeHandler");
    const program = k.natives[slot.program];
    const api = new HandlerApi(k, idx);
    try {
      if (result === NATIVE_START) program.start?.(api);
      else if (result === OK) {
        const m = copyFrom(km, idx, km.proc(idx, PROC.msgVir), 64) ?? new Uint8Array(64);
        km.setProc(idx, PROC.nativePartner, NONE);
        program.receive(api, m);
      } else {
        const partner = km.proc(idx, PROC.nativePartner);
        km.setProc(idx, PROC.nativePartner, NONE);
        program.ipcError?.(api, partner, result);
      }
    } catch (e) {
      // The server's code met state it cannot work with (its tables are in RAM, where a wild
      // write may have changed them): the process crashes, as a user-space server would.
      k.terminate(idx, "crash", `native handler failed: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    k.onNativeRun?.(km.procName(idx), slot.state);
    if (km.proc(idx, PROC.rtsFlags) & RTS_SLOT_FREE || api.sendrecMade) continue;
    km.setProc(idx, PROC.msgVir, NATIVE_INBOX);
    const r = ipc.receive(k, idx, ANY, NATIVE_INBOX);
    if (r === OK) pushRun(k, idx, OK);
  }
}

/** The first asynchronous message for `caller` from `srcE` (or anyone), removed from the queue. */
export function takeAsync(k: Kernel, caller: number, srcE: number): Message | undefined {
  const km = k.km;
  const accept = (from: number): boolean => from >= 0 && from < NR_SLOTS && (srcE === ANY || km.proc(from, PROC.endpoint) === srcE);
  const taken = takeAsyncFor(km, km.proc(caller, PROC.endpoint), accept);
  if (!taken) return undefined;
  set32(taken.msg, M_SOURCE, km.proc(taken.from, PROC.endpoint));
  return taken.msg;
}

/**
 * The API a native handler sees during one run, bound to process `idx`. A class, so that a run
 * costs one object rather than thirty closures (a net experiment has some 700 handler runs, and
 * their garbage was a quarter of its young-generation collections).
 */
class HandlerApi implements NativeApi<unknown> {
  readonly state: unknown;
  readonly endpoint: number;
  readonly label: string;
  /** A sendrec was made in this run (the process now waits for its reply). */
  sendrecMade = false;
  private readonly base: number;
  private readonly size: number;

  constructor(
    private readonly k: Kernel,
    private readonly idx: number,
  ) {
    const km = k.km;
    this.state = k.state.natives[idx].state;
    this.endpoint = km.proc(idx, PROC.endpoint);
    this.label = km.procName(idx);
    this.base = km.proc(idx, PROC.memBase) >>> 0;
    this.size = km.proc(idx, PROC.memSize) >>> 0;
  }

  /** Read from the kernel's table when asked (servers read it once, in start): most runs never do. */
  get params(): string {
    return bootParams(this.k.km, this.idx);
  }

  private ramOff(va: number, len: number): number {
    if (va < 0 || va + len > this.size) throw new Error(`native ${this.label}: access [${va}, ${va + len}) outside its ${this.size}-byte region`);
    return this.base - this.k.km.bus.ramBase + va;
  }

  send(dst: number, m: Message): number {
    return ipc.sendAsync(this.k, this.idx, dst, m);
  }

  sendrec(dst: number, m: Message): number {
    const { k, idx } = this;
    const km = k.km;
    if (this.sendrecMade) throw new Error(`native ${this.label}: second sendrec in one handler`);
    if (lookupEndpoint(km, dst) === idx) return -ELOCKED;
    km.bus.ram.set(m, this.ramOff(NATIVE_CALLBUF, 64));
    km.setProc(idx, PROC.nativePartner, dst);
    const r = ipc.sendrec(k, idx, dst, NATIVE_CALLBUF);
    this.sendrecMade = true;
    if (r === OK) pushRun(k, idx, OK);
    else if (r !== ipc.SUSPENDED) pushRun(k, idx, r);
    return r === ipc.SUSPENDED ? OK : r;
  }

  notify(dst: number): number {
    return ipc.notify(this.k, this.idx, dst);
  }

  read(va: number, len: number): Uint8Array {
    return this.k.km.bus.ram.slice(this.ramOff(va, len), this.ramOff(va, len) + len);
  }

  write(va: number, data: Uint8Array): void {
    this.k.km.bus.ram.set(data, this.ramOff(va, data.length));
  }

  view(va: number, len: number): Uint8Array {
    return this.k.km.bus.ram.subarray(this.ramOff(va, len), this.ramOff(va, len) + len);
  }

  grant(grantee: number, va: number, len: number, access: number): number {
    const km = this.k.km;
    for (let id = 0; id < NATIVE_MAX_GRANTS; id++) {
      const off = this.ramOff(NATIVE_GRANTS + id * 16, 16);
      if (km.view.getUint32(off, true) & CPF_USED) continue;
      this.ramOff(va, len);
      km.view.setUint32(off, CPF_USED | CPF_VALID | access, true);
      km.view.setInt32(off + 4, grantee, true);
      km.view.setUint32(off + 8, va, true);
      km.view.setUint32(off + 12, len, true);
      return id;
    }
    throw new Error(`native ${this.label}: grant table full`);
  }

  revoke(id: number): void {
    this.k.km.view.setUint32(this.ramOff(NATIVE_GRANTS + id * 16, 16), 0, true);
  }

  safecopyFrom(granter: number, grant: number, offset: number, va: number, bytes: number): number {
    return safecopy(this.k, this.idx, granter, grant, offset, va, bytes, true);
  }

  safecopyTo(granter: number, grant: number, offset: number, va: number, bytes: number): number {
    return safecopy(this.k, this.idx, granter, grant, offset, va, bytes, false);
  }

  setAlarm(ticks: number): void {
    this.k.km.setPriv(this.idx, PRIV.alarmLo, ticks > 0 ? this.k.state.ticks + ticks : 0);
  }

  now(): number {
    return this.k.now();
  }

  ticks(): number {
    return this.k.state.ticks;
  }

  log(text: string): void {
    this.k.print(`${this.label}: ${text}\n`);
  }

  lookup(label: string): number | undefined {
    return this.k.lookupLabel(label);
  }

  labelOf(endpoint: number): string | undefined {
    const km = this.k.km;
    const i = lookupEndpoint(km, endpoint);
    return i >= 0 ? km.procName(i) : undefined;
  }

  exit(status: number): void {
    this.k.terminate(this.idx, "exit", `exit status ${status}`);
  }

  /** Process management (RS only): made when asked for. */
  get sys(): NativeSys {
    const { k, idx } = this;
    const km = k.km;
    return {
      spawn(conf) {
        const image = "guest" in conf.program && Object.hasOwn(k.images, conf.program.guest) ? k.images[conf.program.guest] : undefined;
        const r = spawn(k, conf, image);
        return r.ok ? { ok: true, endpoint: r.endpoint } : r;
      },
      kill(endpoint, reason) {
        const i = lookupEndpoint(km, endpoint);
        if (i >= 0) k.terminate(i, "killed", reason);
      },
      becomeSignalManager: () => {
        k.state.signalManager = km.proc(idx, PROC.endpoint);
      },
      takeDeaths: () => k.state.deaths.splice(0),
    };
  }
}
