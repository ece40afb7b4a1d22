/*
 * The peripherals a machine can be built with, by kind: the devices drivers drive (a driver's
 * entry names its device kind). The platform devices every machine has — CLINT, PLIC, UART,
 * system control ports — are not here; the machine makes them itself. A kind may make several
 * devices: the NIC comes with the wire to the host at its far end.
 */
import type { Device, DeviceContext } from "../device.js";
import type { NetPeer } from "../network/peer.js";
import { Wire, type WireOptions } from "../network/wire.js";
import { Ata } from "./ata.js";
import { Es1371 } from "./es1371.js";
import { ParallelPort, type PrinterOptions } from "./parallel.js";
import { Rtl8139 } from "./rtl8139.js";

/** Makes a peripheral on a machine (its context: clock, DMA, IRQ lines): one device or several. */
export type Peripheral = (ctx: DeviceContext) => Device | Device[];

/** What a peripheral kind may be given: the media it is built with. */
export interface PeripheralMedia {
  /** A disk: size in 512-byte sectors, or its image. */
  disk?: number | Uint8Array;
  /**
   * A network: the host at the far end of the wire (a factory: each machine gets its own) and
   * the link's latency (cycles), bandwidth (bits/s), loss and corruption probabilities and seed.
   * Without one, a NIC has no wire (link down).
   */
  network?: WireOptions & { peer: () => NetPeer };
  /**
   * The printer on the parallel port: its speed (cycles to accept a byte, cycles per printed
   * character, input buffer size) and whether it starts offline or out of paper. Without one,
   * a ready printer of the default kind (parallel.ts).
   */
  printer?: PrinterOptions;
}

export const PERIPHERALS: Record<string, (media: PeripheralMedia) => Peripheral> = {
  ata: (media) => (ctx) => {
    const disk = media.disk ?? 8192;
    return new Ata(ctx, typeof disk === "number" ? new Uint8Array(disk * 512) : disk);
  },
  es1371: () => (ctx) => new Es1371(ctx),
  printer: (media) => (ctx) => new ParallelPort(ctx, media.printer),
  rtl8139: (media) => (ctx) => {
    const nic = new Rtl8139(ctx);
    const net = media.network;
    if (!net) return nic;
    const { peer, ...link } = net;
    return [nic, new Wire(ctx, nic, peer(), link)];
  },
};
