/*
 * The peripherals a machine can be built with, by kind: the devices drivers drive (a driver's
 * entry names its device kind). The platform devices every machine has — CLINT, PLIC, UART,
 * system control ports — are not here; the machine makes them itself.
 */
import type { Device, DeviceContext } from "../device.js";
import { Ata } from "./ata.js";

/** Makes a peripheral on a machine (its context: clock, DMA, IRQ lines). */
export type Peripheral = (ctx: DeviceContext) => Device;

/** What a peripheral kind may be given: the media it is built with. */
export interface PeripheralMedia {
  /** A disk: size in 512-byte sectors, or its image. */
  disk?: number | Uint8Array;
}

export const PERIPHERALS: Record<string, (media: PeripheralMedia) => Peripheral> = {
  ata: (media) => (ctx) => {
    const disk = media.disk ?? 8192;
    return new Ata(ctx, typeof disk === "number" ? new Uint8Array(disk * 512) : disk);
  },
};
