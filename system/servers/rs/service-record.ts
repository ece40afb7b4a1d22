/*
 * A service entry (kernel/service.ts ServiceConf, MINIX's system.conf entry as RS holds it for a
 * service it may have to restart) as a fixed binary record in RS's memory. RS starts and restarts
 * a service from the entry decoded here, so a corrupted record restarts the service with what the
 * bytes now say — another image, other privileges, other parameters — or, when they no longer
 * make an entry, not at all.
 *
 *   offset  field                                           limit
 *   +0      label[16]                                       15 characters (the kernel's LABEL_MAX)
 *   +16     program kind: SE_GUEST 1, SE_NATIVE 2
 *   +20     program name[32] (image or native program)      32 characters
 *   +52     role: 0 driver, 1 server, 2 user
 *   +56     priority (scheduling queue)                     < NR_SCHED_QUEUES
 *   +60     number of ipcTo labels                          8 (the kernel's SVC_IPC_LABELS)
 *   +64     ipcTo[8][16]                                    15 characters each
 *   +192    call flags: SE_ALL_CALLS 1 = "*"
 *   +196    kernel calls, 2 words: bit n = call KERNEL_CALL + n (names: KERNEL_CALL_NAMES)
 *   +204    number of I/O ranges                            NR_IO_RANGE (8)
 *   +208    io[8]: first | last << 16 (16-bit ports)
 *   +240    number of IRQs                                  NR_IRQ_HOOKS (4)
 *   +244    irqs[4]
 *   +260    memSize (native programs; 0 = the default)
 *   +264    params[128]                                     127 characters (the kernel's SVC_PARAMS)
 *   +392    end (SE_SIZE)
 *
 * The limits are what the kernel can hold of an entry when it starts the process, so an entry
 * that fits here reaches the process whole.
 *
 * Counts read from RAM are clamped to their arrays; strings read as their bytes (mem.ts). An
 * entry that decodes to something no kernel would start (unknown program kind or role, a
 * priority outside the queues, a native region too small for the native runtime, a name that is
 * not a plain name) is refused with an error, as MINIX's RS refuses a malformed rs_start.
 * Parameters are always decoded (an absent `params` and "" are the same to GET_PARAMS).
 */
import { KERNEL_CALL } from "../../kernel/abi.js";
import { KERNEL_CALL_NAMES } from "../../kernel/calls/index.js";
import { LABEL_MAX, SVC_IPC_LABELS, SVC_PARAMS } from "../../kernel/layout.js";
import { NATIVE_HEAP } from "../../kernel/native.js";
import { NR_IO_RANGE, NR_IRQ_HOOKS, NR_SCHED_QUEUES } from "../../kernel/params.js";
import type { ServiceConf } from "../../kernel/service.js";
import { rdI32, rdStr, rdU32, wr32, wrStr } from "../mem.js";

/** Field sizes in bytes. */
export const SE_LABEL_LEN = LABEL_MAX + 1;
export const SE_PROGRAM_LEN = 32;
export const SE_MAX_IPC = SVC_IPC_LABELS;
export const SE_PARAMS_LEN = SVC_PARAMS;

/** Field offsets of a service-entry record. */
export const SE = {
  label: 0,
  programKind: 16,
  program: 20,
  role: 52,
  priority: 56,
  nIpcTo: 60,
  ipcTo: 64,
  callFlags: 192,
  callMask: 196,
  nIo: 204,
  io: 208,
  nIrq: 240,
  irqs: 244,
  memSize: 260,
  params: 264,
} as const;
export const SE_SIZE = 392;
// The offsets above assume the kernel's sizes; if those change, the fields must move.
if (SE_LABEL_LEN !== 16 || SE_MAX_IPC !== 8 || SE_PARAMS_LEN !== 128) throw new Error("service-record.ts: the kernel's label, IPC or params sizes changed; move the record's fields");

export const SE_GUEST = 1;
export const SE_NATIVE = 2;
export const SE_ALL_CALLS = 1;
const ROLES: Array<ServiceConf["role"]> = ["driver", "server", "user"];

// Every field of ServiceConf has a place in the record: adding one fails to compile here until it has.
type Recorded = "label" | "program" | "role" | "priority" | "ipcTo" | "kernelCalls" | "io" | "irqs" | "params" | "memSize";
export const SE_COVERS_SERVICE_CONF: Exclude<keyof ServiceConf, Recorded> extends never ? true : never = true;

const tooLong = (what: string, s: string, max: number): string | undefined => (s.length > max ? `${what} "${s}" is longer than ${max} characters` : undefined);

/** Why `conf` does not fit a record (a composition error), or undefined. */
export function serviceRecordError(conf: ServiceConf): string | undefined {
  const program = "guest" in conf.program ? conf.program.guest : conf.program.native;
  const unknownCall = conf.kernelCalls.find((c) => c !== "*" && KERNEL_CALL_NAMES[c] === undefined);
  return (
    tooLong("label", conf.label, LABEL_MAX) ??
    tooLong("program", program, SE_PROGRAM_LEN) ??
    (conf.ipcTo.length > SE_MAX_IPC ? `more than ${SE_MAX_IPC} IPC targets` : undefined) ??
    conf.ipcTo.map((l) => tooLong("IPC target", l, LABEL_MAX)).find((e) => e) ??
    (unknownCall !== undefined ? `unknown kernel call "${unknownCall}"` : undefined) ??
    (conf.io.length > NR_IO_RANGE ? `more than ${NR_IO_RANGE} I/O ranges` : undefined) ??
    (conf.irqs.length > NR_IRQ_HOOKS ? `more than ${NR_IRQ_HOOKS} IRQs` : undefined) ??
    tooLong("params", conf.params ?? "", SVC_PARAMS - 1)
  );
}

/** Writes `conf` (which fits: serviceRecordError) as the record at `o`. */
export function encodeService(t: Uint8Array, o: number, conf: ServiceConf): void {
  t.fill(0, o, o + SE_SIZE);
  wrStr(t, o + SE.label, SE_LABEL_LEN, conf.label);
  const guest = "guest" in conf.program;
  wr32(t, o + SE.programKind, guest ? SE_GUEST : SE_NATIVE);
  wrStr(t, o + SE.program, SE_PROGRAM_LEN, "guest" in conf.program ? conf.program.guest : conf.program.native);
  wr32(t, o + SE.role, ROLES.indexOf(conf.role));
  wr32(t, o + SE.priority, conf.priority);
  wr32(t, o + SE.nIpcTo, conf.ipcTo.length);
  conf.ipcTo.forEach((l, i) => wrStr(t, o + SE.ipcTo + i * SE_LABEL_LEN, SE_LABEL_LEN, l));
  for (const name of conf.kernelCalls) {
    if (name === "*") {
      wr32(t, o + SE.callFlags, SE_ALL_CALLS);
      continue;
    }
    const bit = KERNEL_CALL_NAMES[name] - KERNEL_CALL;
    const at = o + SE.callMask + (bit >> 5) * 4;
    wr32(t, at, rdU32(t, at) | (1 << (bit & 31)));
  }
  wr32(t, o + SE.nIo, conf.io.length);
  conf.io.forEach(([first, last], i) => wr32(t, o + SE.io + 4 * i, (first & 0xffff) | ((last & 0xffff) << 16)));
  wr32(t, o + SE.nIrq, conf.irqs.length);
  conf.irqs.forEach((irq, i) => wr32(t, o + SE.irqs + 4 * i, irq));
  wr32(t, o + SE.memSize, conf.memSize ?? 0);
  wrStr(t, o + SE.params, SE_PARAMS_LEN, conf.params ?? "");
}

/** A name the kernel can look a program or a label up by: printable, no '?' (a corrupt byte), not an Object builtin. */
const plainName = (s: string): boolean => s.length > 0 && !s.includes("?") && !(s in Object.prototype);

/** The service entry in the record at `o`, or why it is not one. */
export function decodeService(t: Uint8Array, o: number): { ok: true; conf: ServiceConf } | { ok: false; error: string } {
  const label = rdStr(t, o + SE.label, SE_LABEL_LEN);
  const name = rdStr(t, o + SE.program, SE_PROGRAM_LEN);
  const kind = rdU32(t, o + SE.programKind);
  const role = ROLES[rdU32(t, o + SE.role)];
  const priority = rdU32(t, o + SE.priority);
  const memSize = rdU32(t, o + SE.memSize);
  const bad = (what: string) => ({ ok: false as const, error: `corrupt service entry: ${what}` });
  if (!plainName(label)) return bad(`label "${label}"`);
  if (!plainName(name)) return bad(`program "${name}"`);
  if (kind !== SE_GUEST && kind !== SE_NATIVE) return bad(`program kind ${kind}`);
  if (role === undefined) return bad(`role ${rdU32(t, o + SE.role)}`);
  if (priority >= NR_SCHED_QUEUES) return bad(`priority ${priority}`);
  if (kind === SE_NATIVE && memSize !== 0 && memSize < NATIVE_HEAP) return bad(`memory size ${memSize}`);

  const ipcTo: string[] = [];
  const nIpc = Math.min(rdU32(t, o + SE.nIpcTo), SE_MAX_IPC);
  for (let i = 0; i < nIpc; i++) ipcTo.push(rdStr(t, o + SE.ipcTo + i * SE_LABEL_LEN, SE_LABEL_LEN));
  const kernelCalls: string[] = rdU32(t, o + SE.callFlags) & SE_ALL_CALLS ? ["*"] : [];
  for (const [call, num] of Object.entries(KERNEL_CALL_NAMES)) {
    const bit = num - KERNEL_CALL;
    if ((rdU32(t, o + SE.callMask + (bit >> 5) * 4) >>> (bit & 31)) & 1) kernelCalls.push(call);
  }
  const io: Array<[number, number]> = [];
  const nIo = Math.min(rdU32(t, o + SE.nIo), NR_IO_RANGE);
  for (let i = 0; i < nIo; i++) {
    const w = rdU32(t, o + SE.io + 4 * i);
    io.push([w & 0xffff, w >>> 16]);
  }
  const irqs: number[] = [];
  const nIrq = Math.min(rdU32(t, o + SE.nIrq), NR_IRQ_HOOKS);
  for (let i = 0; i < nIrq; i++) irqs.push(rdI32(t, o + SE.irqs + 4 * i));
  // Key order as the catalog builds entries (the kernel's state, hashed, holds this object).
  const conf: ServiceConf = {
    label, program: kind === SE_GUEST ? { guest: name } : { native: name }, role, priority, ipcTo, kernelCalls, io, irqs,
    params: rdStr(t, o + SE.params, SE_PARAMS_LEN),
  };
  if (memSize !== 0) conf.memSize = memSize;
  return { ok: true, conf };
}
