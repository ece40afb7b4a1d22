/*
 * Port I/O for drivers: SYS_DEVIO (one port), SYS_VDEVIO (a vector of (port, value) pairs),
 * SYS_SDEVIO (a string of items between a port and the caller's memory). Every port is checked
 * against the caller's I/O ranges (EPERM outside them; a driver VM's DD/OS takes a protection
 * fault instead), so the kernel sees and polices every access a driver makes to hardware.
 */
import {
  _DIO_BYTE, _DIO_INPUT, _DIO_LONG, _DIO_OUTPUT, _DIO_WORD, EFAULT, EINVAL, EPERM, IPC_KERNEL_CALL, M_TYPE, MSG, OK, SYS_DEVIO, SYS_SDEVIO,
  SYS_VDEVIO, VDEVIO_MAX,
} from "../abi.js";
import { deviceProgrammed } from "../dma.js";
import { ddosPanic, isVm, vmPortAccess } from "../hypervisor.js";
import type { Kernel } from "../kernel.js";
import { PRIV } from "../layout.js";
import { get32, set32, type Message } from "../message.js";
import { vmIoBitmap } from "../policy.js";
import { copyFrom, copyTo, procTranslate } from "../vm.js";
import { RAM_BASE } from "../../machine/memmap.js";

type Size = 1 | 2 | 4;

/** Access size of a DIO request, or 0 when malformed. */
function dioSize(request: number): Size | 0 {
  switch (request & 0xf0) {
    case _DIO_BYTE: return 1;
    case _DIO_WORD: return 2;
    case _DIO_LONG: return 4;
  }
  return 0;
}

/** Whether `caller` may access ports [port, port + size). */
export function portAllowed(k: Kernel, caller: number, port: number, size: number): boolean {
  if (!k.checked(caller)) return true;
  const km = k.km;
  const n = km.priv(caller, PRIV.nrIoRange);
  for (let i = 0; i < n; i++) {
    const r = km.priv(caller, PRIV.ioTab + 4 * i);
    if (port >= (r & 0xffff) && port + size - 1 <= r >>> 16) return true;
  }
  return false;
}

/**
 * A port outside the caller's ranges: refused with EPERM, counted as a denial; from a driver VM,
 * a general-protection fault in its DD/OS's kernel mode, which panics it (hypervisor.ts).
 */
function refused(k: Kernel, caller: number, port: number): number {
  if (k.vms && isVm(k, caller)) return k.failOnReturn(caller, ddosPanic(`general protection fault: port 0x${port.toString(16)} is not the VM's device's`), -EPERM);
  return k.denied(caller, "port", -EPERM);
}

/** The ecall process idx just made is a port access (SYS_DEVIO, SDEVIO, VDEVIO): an in/out in a kernel-mode driver or a DD/OS. */
export function isPortCall(k: Kernel, idx: number): boolean {
  if (k.reg(idx, 10) !== IPC_KERNEL_CALL) return false;
  const pa = procTranslate(k.km, idx, (k.reg(idx, 12) + M_TYPE) >>> 0, false);
  if (pa < 0) return false;
  const call = k.km.view.getInt32(pa - RAM_BASE, true);
  return call === SYS_DEVIO || call === SYS_SDEVIO || call === SYS_VDEVIO;
}

function io(k: Kernel, caller: number, port: number, request: number, size: Size, value: number): number {
  if (k.vms && isVm(k, caller)) vmPortAccess(k);
  else k.charge(k.callsDirectly(caller) ? "portInstruction" : "portAccess");
  const bus = k.machine.bus;
  if (request & _DIO_INPUT) return bus.portRead(port, size);
  deviceProgrammed(k, port, caller);
  bus.portWrite(port, value, size);
  return value;
}

export function doDevio(k: Kernel, caller: number, m: Message): number {
  const port = get32(m, MSG.devio.port) >>> 0;
  const request = get32(m, MSG.devio.request);
  const size = dioSize(request);
  if (!size || port > 0xffff || !(request & (_DIO_INPUT | _DIO_OUTPUT))) return -EINVAL;
  if (!portAllowed(k, caller, port, size)) return refused(k, caller, port);
  set32(m, MSG.devio.value, io(k, caller, port, request, size, get32(m, MSG.devio.value)));
  return OK;
}

export function doVdevio(k: Kernel, caller: number, m: Message): number {
  const request = get32(m, MSG.vdevio.request);
  const n = get32(m, MSG.vdevio.vecSize);
  const size = dioSize(request);
  if (!size || n < 0 || n > VDEVIO_MAX || !(request & (_DIO_INPUT | _DIO_OUTPUT))) return -EINVAL;
  const va = get32(m, MSG.vdevio.vecAddr) >>> 0;
  const vec = copyFrom(k.km, caller, va, n * 8);
  if (!vec) return -EFAULT;
  for (let i = 0; i < n; i++) if (!portAllowed(k, caller, get32(vec, i * 8) >>> 0, size)) return refused(k, caller, get32(vec, i * 8) >>> 0);
  for (let i = 0; i < n; i++) set32(vec, i * 8 + 4, io(k, caller, get32(vec, i * 8) >>> 0, request, size, get32(vec, i * 8 + 4) >>> 0));
  if (request & _DIO_INPUT && !copyTo(k.km, caller, va, vec)) return -EFAULT;
  return OK;
}

export function doSdevio(k: Kernel, caller: number, m: Message): number {
  const port = get32(m, MSG.sdevio.port) >>> 0;
  const request = get32(m, MSG.sdevio.request);
  const count = get32(m, MSG.sdevio.count);
  const size = dioSize(request);
  if (!size || port > 0xffff || count < 0 || count > 65536 || !(request & (_DIO_INPUT | _DIO_OUTPUT))) return -EINVAL;
  if (!portAllowed(k, caller, port, size)) return refused(k, caller, port);
  const va = get32(m, MSG.sdevio.address) >>> 0;
  const bytes = count * size;
  k.charge("copyByte", bytes);
  // A driver VM's string in/out traps once; the hypervisor moves the whole string (as KVM does).
  if (k.vms && isVm(k, caller) && !vmIoBitmap(k.build)) {
    k.charge("kernelEntry");
    k.charge("vmExit");
  }
  const bus = k.machine.bus;
  if (request & _DIO_INPUT) {
    const buf = new Uint8Array(bytes);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < count; i++) {
      const v = bus.portRead(port, size);
      if (size === 1) dv.setUint8(i, v);
      else if (size === 2) dv.setUint16(i * 2, v, true);
      else dv.setUint32(i * 4, v, true);
    }
    return copyTo(k.km, caller, va, buf) ? OK : -EFAULT;
  }
  const buf = copyFrom(k.km, caller, va, bytes);
  if (!buf) return -EFAULT;
  deviceProgrammed(k, port, caller);
  const dv = new DataView(buf.buffer);
  for (let i = 0; i < count; i++)
    bus.portWrite(port, size === 1 ? dv.getUint8(i) : size === 2 ? dv.getUint16(i * 2, true) : dv.getUint32(i * 4, true), size);
  return OK;
}
