/*
 * ATA disk: one device (master) on the primary IDE channel plus the channel's bus-master DMA
 * engine (Intel PIIX style), backed by a disk image held in memory.
 *
 *   PORT_ATA_CMD + 0..7  data, error/features, sector count, LBA low/mid/high, drive/head,
 *                        status/command
 *   PORT_ATA_CTRL        alternate status (read) / device control (write: nIEN, SRST)
 *   PORT_ATA_BM + 0..7   bus-master command (+0), status (+2), PRD table address (+4..+7)
 *
 * Every command takes time on the clock: the device is BSY and one completion event ("ata", kind
 * = what happens next) is pending; the event moves the protocol on (DRQ for PIO, the DMA transfer,
 * completion or error) and raises INTRQ unless nIEN. Reading the status register clears INTRQ;
 * the alternate status does not. DMA walks the PRD table in RAM and moves every byte through
 * ctx.dma, tagged "ata", so an IOMMU may refuse it. Whatever the guest programs, nothing throws.
 * The counters sectorsRead / sectorsWritten count sectors moved between the medium and the host.
 */
import type { AccessSize, Device, DeviceContext, DeviceRecord, Region } from "../device.js";
import { IRQ_ATA, PORT_ATA_BM, PORT_ATA_CMD, PORT_ATA_CTRL } from "../memmap.js";

/** Command block register offsets from PORT_ATA_CMD. */
export const ATA_DATA = 0;
export const ATA_ERROR_FEATURES = 1;
export const ATA_COUNT = 2;
export const ATA_LBA_LOW = 3;
export const ATA_LBA_MID = 4;
export const ATA_LBA_HIGH = 5;
export const ATA_DEVICE = 6;
export const ATA_STATUS_COMMAND = 7;
/** Bus-master register offsets from PORT_ATA_BM. */
export const BM_COMMAND = 0;
export const BM_STATUS = 2;
export const BM_PRD = 4;

export const ATA_BSY = 0x80;
export const ATA_DRDY = 0x40;
export const ATA_DF = 0x20;
export const ATA_DRQ = 0x08;
export const ATA_ERR = 0x01;
export const ATA_ABRT = 0x04;
export const ATA_IDNF = 0x10;
export const ATA_UNC = 0x40;
export const ATA_NIEN = 0x02;
export const ATA_SRST = 0x04;
const DEV_LBA = 0x40;
const DEV_SLAVE = 0x10;

export const CMD_READ_SECTORS = 0x20;
export const CMD_WRITE_SECTORS = 0x30;
export const CMD_READ_DMA = 0xc8;
export const CMD_WRITE_DMA = 0xca;
export const CMD_FLUSH_CACHE = 0xe7;
export const CMD_IDENTIFY = 0xec;

export const BM_CMD_START = 0x01;
export const BM_CMD_TO_MEMORY = 0x08; // direction: device writes memory (a disk read)
export const BM_ST_ACTIVE = 0x01;
export const BM_ST_ERROR = 0x02;
export const BM_ST_INTERRUPT = 0x04;
const BM_ST_CAPABLE = 0x60; // "drive 0/1 DMA capable", read/write scratch bits

export const SECTOR_SIZE = 512;
/** Granularity of restore()'s bookkeeping of written bytes. */
const PAGE = 4096;

/** LBA28 limit: the largest disk these commands can address. */
export const ATA_MAX_SECTORS = 0x0fff_ffff;
/** CHS translation geometry (for guests that leave the LBA bit clear). */
export const ATA_HEADS = 16;
export const ATA_SECTORS_PER_TRACK = 63;
/** A PRD table lies within one 64 KiB region (PIIX): at most 8192 entries are walked. */
const PRD_MAX_ENTRIES = 8192;

/*
 * Timing, in cycles at CPU_HZ (100 MHz: 1 cycle = 10 ns), after a 7200 rpm desktop IDE disk of
 * the MINIX 3 papers' era (mid-2000s data sheets: ~8-9 ms average seek, ~15-20 ms full stroke,
 * ~60 MB/s sustained media rate, controller overhead of tenths of a millisecond). Rotational
 * latency is folded into the seek. The seek is linear in the LBA distance, scaled so a full
 * stroke across the image (whatever its size) costs ATA_FULL_STROKE_SEEK_CYCLES.
 */
/** Command decode and set-up, paid by every command: 0.1 ms. */
export const ATA_COMMAND_OVERHEAD_CYCLES = 10_000;
/** Seek from the first to the last sector of the disk: 15 ms. */
export const ATA_FULL_STROKE_SEEK_CYCLES = 1_500_000;
/** One sector between medium and buffer: 512 B at ~60 MB/s = 8.5 µs. */
export const ATA_SECTOR_TRANSFER_CYCLES = 850;

/** Protocol phase (what the device is doing). */
const PHASE_IDLE = 0;
const PHASE_BUSY = 1; // BSY; one clock event pending
const PHASE_PIO_IN = 2; // DRQ: host reads the sector buffer
const PHASE_PIO_OUT = 3; // DRQ: host writes the sector buffer
const PHASE_DMA_WAIT = 4; // DMA data ready; waiting for the bus master to start / continue
const PHASE_RESET = 5; // SRST asserted

/** Event kinds = what the device does when the busy time is over. */
const EV_IDENTIFY = "identify";
const EV_READ = "read";
const EV_DRQ_OUT = "drq-out";
const EV_WRITE = "write";
const EV_DMA = "dma";
const EV_FINISH = "finish";
const EV_ERROR = "error";

const NAME = "ata";

export interface AtaOptions {
  /** Disk size in 512-byte sectors (1 .. ATA_MAX_SECTORS). */
  sectors: number;
  /** Serial number reported by IDENTIFY (ASCII, at most 20 characters). */
  serial?: string;
  /** Initial disk contents (copied; a shorter image is zero-padded, a longer one truncated). */
  image?: Uint8Array;
}

export interface AtaState {
  /** The disk, sectors * 512 bytes. Written by the device (and by the host between runs). */
  image: Uint8Array;
  /** One sector of PIO data and the next byte position in it. */
  buffer: Uint8Array;
  bufPos: number;
  /** Task-file registers as last written (error and status are the device's). */
  error: number;
  features: number;
  count: number;
  lbaLow: number;
  lbaMid: number;
  lbaHigh: number;
  device: number;
  status: number;
  control: number;
  /** PHASE_* */
  phase: number;
  /** Opcode of the command in progress (0 = none). */
  command: number;
  /** Next sector to transfer and sectors left in the command. */
  lba: number;
  remaining: number;
  /** Error register value the pending "error" event will report. */
  pendingError: number;
  /** Sector the heads are over, for the seek time of the next command. */
  head: number;
  /** INTRQ pending (before the nIEN gate) and the line level last driven (0/1). */
  intrq: number;
  irq: number;
  /** Bus-master registers. */
  bmCommand: number;
  bmStatus: number;
  bmPrd: number;
  /** Sectors moved from the medium to the host / from the host to the medium. */
  sectorsRead: number;
  sectorsWritten: number;
}

function powerOnState(image: Uint8Array): AtaState {
  return {
    image,
    buffer: new Uint8Array(SECTOR_SIZE),
    bufPos: 0,
    ...signature(),
    features: 0,
    status: ATA_DRDY,
    control: 0,
    phase: PHASE_IDLE,
    command: 0,
    lba: 0,
    remaining: 0,
    pendingError: 0,
    head: 0,
    intrq: 0,
    irq: 0,
    bmCommand: 0,
    bmStatus: 0,
    bmPrd: 0,
    sectorsRead: 0,
    sectorsWritten: 0,
  };
}

/** Task-file contents after power-on or reset: the ATA device signature, diagnostics passed. */
function signature() {
  return { error: 0x01, count: 1, lbaLow: 1, lbaMid: 0, lbaHigh: 0, device: 0 };
}

export class Ata implements Device {
  readonly name = NAME;
  readonly mmio: Region[] = [];
  readonly ports: Region[] = [
    { base: PORT_ATA_CMD, size: 8 },
    { base: PORT_ATA_CTRL, size: 1 },
    { base: PORT_ATA_BM, size: 8 },
  ];
  readonly sectors: number;
  readonly serial: string;
  state: AtaState;
  /**
   * Restoring only what changed: the snapshot image the disk equalled at the last snapshot() or
   * restore(), except for the 4 KiB pages in `written` (the device's own writes since). null
   * when unknown: at power-on, and once the host has taken the image (it may write it).
   */
  private base: Uint8Array | null = null;
  private readonly written: Uint8Array;

  /**
   * Builds the controller and its disk. `disk` is either the image itself (adopted, not copied,
   * when its length is a whole number of sectors; else copied and zero-padded to one) or options.
   * Throws (a bulkhead bug, not a guest fault) on an empty or larger-than-LBA28 disk.
   */
  constructor(
    private readonly ctx: DeviceContext,
    disk: Uint8Array | AtaOptions,
  ) {
    const opts = disk instanceof Uint8Array ? { sectors: Math.ceil(disk.length / SECTOR_SIZE), image: disk } : disk;
    const n = opts.sectors;
    if (!Number.isInteger(n) || n < 1 || n > ATA_MAX_SECTORS) throw new Error(`ata: bad disk size ${n} sectors`);
    this.sectors = n;
    this.serial = opts.serial ?? "BH0000000001";
    this.state = powerOnState(diskImage(n, opts.image, disk instanceof Uint8Array));
    this.written = new Uint8Array(Math.ceil(this.state.image.length / PAGE));
  }

  /**
   * The disk image, live: the host may read it, or write it while no command runs (the next
   * restore() then copies the whole image). Take it again after a snapshot() or restore()
   * rather than writing through a reference kept from before.
   */
  get image(): Uint8Array {
    this.base = null;
    return this.state.image;
  }

  /** The disk image, live, for reading only (an oracle checking what the disk holds). */
  readImage(): Uint8Array {
    return this.state.image;
  }

  record(): DeviceRecord {
    return { kind: "disk", image: this.state.image };
  }

  changedPagesSince(snap: unknown): { ref: Uint8Array; pages: Uint8Array } | undefined {
    const ref = (snap as { image?: Uint8Array } | undefined)?.image;
    const pages = ref && this.writtenSince(ref);
    return ref && pages ? { ref, pages } : undefined;
  }

  /**
   * The pages (a byte each, nonzero = written) where the image may differ from `snapshotImage`,
   * when the image is that snapshot's but for the device's writes since; else undefined.
   */
  writtenSince(snapshotImage: Uint8Array): Uint8Array | undefined {
    return snapshotImage === this.base ? this.written : undefined;
  }

  /** The device wrote `len` bytes of the image at `off`. */
  private wrote(off: number, len: number): void {
    for (let p = Math.floor(off / PAGE); p * PAGE < off + len; p++) this.written[p] = 1;
  }

  /** IN from the command block, control block or bus-master registers. */
  portRead(port: number, size: AccessSize): number {
    if (port >= PORT_ATA_BM && port < PORT_ATA_BM + 8) return this.bmRead(port - PORT_ATA_BM, size);
    if (port === PORT_ATA_CTRL) return this.selected() ? this.state.status : 0;
    return this.taskFileRead(port - PORT_ATA_CMD, size);
  }

  /** OUT to the command block, control block or bus-master registers. */
  portWrite(port: number, value: number, size: AccessSize): void {
    if (port >= PORT_ATA_BM && port < PORT_ATA_BM + 8) return this.bmWrite(port - PORT_ATA_BM, value, size);
    if (port === PORT_ATA_CTRL) return this.writeControl(value & 0xff);
    this.taskFileWrite(port - PORT_ATA_CMD, value, size);
  }

  /** A completion event: the busy time of the current step is over. */
  onEvent(kind: string): void {
    if (this.state.phase !== PHASE_BUSY) return;
    switch (kind) {
      case EV_IDENTIFY:
        fillIdentify(this.state.buffer, this.sectors, this.serial);
        return this.dataIn(0);
      case EV_READ:
        return this.readSector();
      case EV_DRQ_OUT:
        return this.dataOut(false);
      case EV_WRITE:
        return this.writeSector();
      case EV_DMA:
        return this.dmaReady();
      case EV_FINISH:
        return this.finish();
      case EV_ERROR:
        return this.fail(this.state.pendingError);
      default:
        return;
    }
  }

  /** Power-on: idle, signature in the task file, bus master stopped; image and counters kept. */
  reset(): void {
    this.ctx.clock.cancel(NAME);
    const { image, sectorsRead, sectorsWritten } = this.state;
    this.state = { ...powerOnState(image), sectorsRead, sectorsWritten };
    this.ctx.setIrq(IRQ_ATA, false);
  }

  snapshot(): AtaState {
    const s = this.state;
    const image = s.image.slice();
    this.base = image;
    this.written.fill(0);
    return { ...s, image, buffer: s.buffer.slice() };
  }

  restore(snap: unknown): void {
    const { image, buffer, ...rest } = snap as AtaState;
    Object.assign(this.state, rest);
    if (image === this.base) {
      // The disk is that snapshot's image but for the pages written since: copy those back.
      for (let p = 0; p < this.written.length; p++) if (this.written[p]) this.state.image.set(image.subarray(p * PAGE, (p + 1) * PAGE), p * PAGE);
    } else this.state.image.set(image);
    this.base = image;
    this.written.fill(0);
    this.state.buffer.set(buffer);
  }

  // ---- task file ------------------------------------------------------------------------------

  private taskFileRead(reg: number, size: AccessSize): number {
    const s = this.state;
    switch (reg) {
      case ATA_DATA:
        return this.readData(size);
      case ATA_ERROR_FEATURES:
        return s.error;
      case ATA_COUNT:
        return s.count;
      case ATA_LBA_LOW:
        return s.lbaLow;
      case ATA_LBA_MID:
        return s.lbaMid;
      case ATA_LBA_HIGH:
        return s.lbaHigh;
      case ATA_DEVICE:
        return s.device | 0xa0; // obsolete bits 7 and 5 read as one
      case ATA_STATUS_COMMAND:
        if (!this.selected()) return 0;
        s.intrq = 0;
        this.updateIrq();
        return s.status;
      default:
        return 0xff;
    }
  }

  /** Register writes while BSY are ignored, as on a real device. */
  private taskFileWrite(reg: number, value: number, size: AccessSize): void {
    const s = this.state;
    if (s.phase === PHASE_BUSY || s.phase === PHASE_RESET) return;
    const v = value & 0xff;
    switch (reg) {
      case ATA_DATA:
        return this.writeData(value, size);
      case ATA_ERROR_FEATURES:
        s.features = v;
        return;
      case ATA_COUNT:
        s.count = v;
        return;
      case ATA_LBA_LOW:
        s.lbaLow = v;
        return;
      case ATA_LBA_MID:
        s.lbaMid = v;
        return;
      case ATA_LBA_HIGH:
        s.lbaHigh = v;
        return;
      case ATA_DEVICE:
        s.device = v & 0x5f;
        return;
      case ATA_STATUS_COMMAND:
        return this.command(v);
      default:
        return;
    }
  }

  private selected(): boolean {
    return (this.state.device & DEV_SLAVE) === 0;
  }

  /** Device control: nIEN gates INTRQ; SRST held high resets, released ends the reset. */
  private writeControl(v: number): void {
    const s = this.state;
    const wasReset = (s.control & ATA_SRST) !== 0;
    s.control = v & (ATA_NIEN | ATA_SRST);
    if (v & ATA_SRST && !wasReset) {
      this.ctx.clock.cancel(NAME);
      Object.assign(s, { phase: PHASE_RESET, status: ATA_BSY, command: 0, remaining: 0, intrq: 0 });
    } else if (!(v & ATA_SRST) && wasReset) {
      Object.assign(s, signature(), { phase: PHASE_IDLE, status: ATA_DRDY, head: 0 });
    }
    this.updateIrq();
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Starts a command (a device that is not selected ignores it); unknown opcodes abort. */
  private command(op: number): void {
    const s = this.state;
    if (!this.selected()) return;
    s.command = op;
    s.error = 0;
    s.intrq = 0;
    this.updateIrq();
    switch (op) {
      case CMD_IDENTIFY:
        return this.busy(ATA_COMMAND_OVERHEAD_CYCLES, EV_IDENTIFY);
      case CMD_FLUSH_CACHE:
        return this.busy(ATA_COMMAND_OVERHEAD_CYCLES, EV_FINISH);
      case CMD_READ_SECTORS:
      case CMD_WRITE_SECTORS:
      case CMD_READ_DMA:
      case CMD_WRITE_DMA:
        return this.startTransfer(op);
      default:
        return this.failLater(ATA_ABRT);
    }
  }

  /** Checks the sector range, then waits for the first sector (reads, DMA) or the host (PIO write). */
  private startTransfer(op: number): void {
    const s = this.state;
    const lba = this.address();
    const n = s.count === 0 ? 256 : s.count;
    if (lba < 0 || lba + n > this.sectors) return this.failLater(ATA_IDNF);
    s.lba = lba;
    s.remaining = n;
    const reach = ATA_COMMAND_OVERHEAD_CYCLES + this.seek(lba);
    if (op === CMD_READ_SECTORS) return this.busy(reach + ATA_SECTOR_TRANSFER_CYCLES, EV_READ);
    if (op === CMD_WRITE_SECTORS) return this.busy(ATA_COMMAND_OVERHEAD_CYCLES, EV_DRQ_OUT);
    this.busy(reach + n * ATA_SECTOR_TRANSFER_CYCLES, EV_DMA);
  }

  /** The addressed sector: LBA28, or CHS through the fixed geometry; -1 when impossible. */
  private address(): number {
    const s = this.state;
    if (s.device & DEV_LBA) return ((s.device & 0x0f) << 24) | (s.lbaHigh << 16) | (s.lbaMid << 8) | s.lbaLow;
    if (s.lbaLow === 0 || s.lbaLow > ATA_SECTORS_PER_TRACK) return -1;
    const cylinder = (s.lbaHigh << 8) | s.lbaMid;
    return (cylinder * ATA_HEADS + (s.device & 0x0f)) * ATA_SECTORS_PER_TRACK + s.lbaLow - 1;
  }

  /** Seek time from the current head position to `lba`. */
  private seek(lba: number): number {
    const distance = Math.abs(lba - this.state.head);
    return Math.floor((ATA_FULL_STROKE_SEEK_CYCLES * distance) / this.sectors);
  }

  private busy(delay: number, kind: string): void {
    this.state.phase = PHASE_BUSY;
    this.state.status = ATA_BSY;
    this.ctx.clock.schedule(delay, NAME, kind);
  }

  private failLater(error: number): void {
    this.state.pendingError = error;
    this.busy(ATA_COMMAND_OVERHEAD_CYCLES, EV_ERROR);
  }

  /** Command completed successfully: ready, interrupt. */
  private finish(): void {
    Object.assign(this.state, { phase: PHASE_IDLE, status: ATA_DRDY, command: 0 });
    this.raise();
  }

  /** Command failed: ERR with `error` in the error register, interrupt. */
  private fail(error: number): void {
    Object.assign(this.state, { phase: PHASE_IDLE, status: ATA_DRDY | ATA_ERR, error, command: 0, remaining: 0 });
    this.raise();
  }

  // ---- PIO ------------------------------------------------------------------------------------

  private readSector(): void {
    const s = this.state;
    const off = s.lba * SECTOR_SIZE;
    s.buffer.set(s.image.subarray(off, off + SECTOR_SIZE));
    s.lba++;
    s.remaining--;
    s.head = s.lba;
    s.sectorsRead++;
    this.dataIn(s.remaining);
  }

  /** The buffer holds a sector for the host: DRQ and interrupt. */
  private dataIn(remaining: number): void {
    Object.assign(this.state, { phase: PHASE_PIO_IN, status: ATA_DRDY | ATA_DRQ, bufPos: 0, remaining });
    this.raise();
  }

  /** The device wants a sector from the host: DRQ (interrupt for every sector but the first). */
  private dataOut(interrupt: boolean): void {
    Object.assign(this.state, { phase: PHASE_PIO_OUT, status: ATA_DRDY | ATA_DRQ, bufPos: 0 });
    if (interrupt) this.raise();
  }

  private writeSector(): void {
    const s = this.state;
    s.image.set(s.buffer, s.lba * SECTOR_SIZE);
    this.wrote(s.lba * SECTOR_SIZE, SECTOR_SIZE);
    s.lba++;
    s.remaining--;
    s.head = s.lba;
    s.sectorsWritten++;
    if (s.remaining > 0) this.dataOut(true);
    else this.finish();
  }

  /** Data port read: 1, 2 or 4 bytes of the buffer (a byte access still consumes a word). */
  private readData(size: AccessSize): number {
    const s = this.state;
    if (s.phase !== PHASE_PIO_IN) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const n = size === 4 ? 4 : 2;
    let v = 0;
    for (let i = 0; i < n; i++) v |= s.buffer[(s.bufPos + i) & (SECTOR_SIZE - 1)] << (8 * i);
    s.bufPos += n;
    if (s.bufPos >= SECTOR_SIZE) this.bufferDrained();
    return size === 1 ? v & 0xff : v >>> 0;
  }

  private bufferDrained(): void {
    const s = this.state;
    if (s.remaining > 0) return this.busy(ATA_SECTOR_TRANSFER_CYCLES, EV_READ);
    Object.assign(s, { phase: PHASE_IDLE, status: ATA_DRDY, command: 0 });
  }

  /** Data port write: 1 (as a word), 2 or 4 bytes into the buffer; a full sector goes to the medium. */
  private writeData(value: number, size: AccessSize): void {
    const s = this.state;
    if (s.phase !== PHASE_PIO_OUT) return;
    const n = size === 4 ? 4 : 2;
    for (let i = 0; i < n; i++) s.buffer[(s.bufPos + i) & (SECTOR_SIZE - 1)] = (value >>> (8 * i)) & 0xff;
    s.bufPos += n;
    if (s.bufPos >= SECTOR_SIZE) this.busy(this.seek(s.lba) + ATA_SECTOR_TRANSFER_CYCLES, EV_WRITE);
  }

  // ---- interrupts -----------------------------------------------------------------------------

  private raise(): void {
    this.state.intrq = 1;
    this.updateIrq();
  }

  /** Drives IRQ_ATA = INTRQ && !nIEN; a rising edge sets the bus-master interrupt bit. */
  private updateIrq(): void {
    const s = this.state;
    const level = s.intrq && !(s.control & ATA_NIEN) ? 1 : 0;
    if (level === s.irq) return;
    s.irq = level;
    if (level) s.bmStatus |= BM_ST_INTERRUPT;
    this.ctx.setIrq(IRQ_ATA, level === 1);
  }

  // ---- bus-master DMA -------------------------------------------------------------------------

  /** Bus-master registers are bytes; wider accesses cover consecutive registers. */
  private bmRead(off: number, size: AccessSize): number {
    let v = 0;
    for (let i = 0; i < size && off + i < 8; i++) v |= this.bmRead8(off + i) << (8 * i);
    return v >>> 0;
  }

  private bmRead8(off: number): number {
    const s = this.state;
    switch (off) {
      case BM_COMMAND:
        return s.bmCommand;
      case BM_STATUS:
        return s.bmStatus;
      case BM_PRD:
      case BM_PRD + 1:
      case BM_PRD + 2:
      case BM_PRD + 3:
        return (s.bmPrd >>> (8 * (off - BM_PRD))) & 0xff;
      default:
        return 0;
    }
  }

  private bmWrite(off: number, value: number, size: AccessSize): void {
    for (let i = 0; i < size && off + i < 8; i++) this.bmWrite8(off + i, (value >>> (8 * i)) & 0xff);
  }

  private bmWrite8(off: number, v: number): void {
    const s = this.state;
    switch (off) {
      case BM_COMMAND:
        return this.bmCommandWrite(v);
      case BM_STATUS:
        // error and interrupt are write-1-to-clear, the capable bits plain read/write
        s.bmStatus = (s.bmStatus & ~(BM_ST_CAPABLE | (v & (BM_ST_ERROR | BM_ST_INTERRUPT)))) | (v & BM_ST_CAPABLE);
        return;
      case BM_PRD:
      case BM_PRD + 1:
      case BM_PRD + 2:
      case BM_PRD + 3: {
        const shift = 8 * (off - BM_PRD);
        s.bmPrd = ((s.bmPrd & ~(0xff << shift)) | (v << shift)) & ~3;
        s.bmPrd >>>= 0;
        return;
      }
      default:
        return;
    }
  }

  /** Start (0 → 1) activates the engine and resumes a waiting transfer; stop deactivates it. */
  private bmCommandWrite(v: number): void {
    const s = this.state;
    const wasStarted = (s.bmCommand & BM_CMD_START) !== 0;
    s.bmCommand = v & (BM_CMD_START | BM_CMD_TO_MEMORY);
    const started = (v & BM_CMD_START) !== 0;
    if (started && !wasStarted) {
      s.bmStatus |= BM_ST_ACTIVE;
      if (s.phase === PHASE_DMA_WAIT) this.dmaTransfer();
    } else if (!started && wasStarted) {
      s.bmStatus &= ~BM_ST_ACTIVE;
    }
  }

  /** The medium side of a DMA command is done: transfer now if the engine runs, else wait for it. */
  private dmaReady(): void {
    const s = this.state;
    if (s.bmCommand & BM_CMD_START) return this.dmaTransfer();
    Object.assign(s, { phase: PHASE_DMA_WAIT, status: ATA_DRDY | ATA_DRQ });
  }

  /**
   * Moves the remaining sectors between the medium and RAM along the PRD table. A refused
   * access (IOMMU, outside RAM) or a direction that contradicts the command is an error; a
   * table shorter than the transfer leaves the device waiting in DRQ with the engine stopped
   * and no interrupt, as on a PIIX (the driver must time out and reset).
   */
  private dmaTransfer(): void {
    const s = this.state;
    const toMemory = s.command === CMD_READ_DMA;
    if (((s.bmCommand & BM_CMD_TO_MEMORY) !== 0) !== toMemory) return this.dmaError();
    const total = s.remaining * SECTOR_SIZE;
    const base = s.lba * SECTOR_SIZE;
    const data = toMemory ? s.image.subarray(base, base + total) : new Uint8Array(total);
    const r = this.walkPrd(data, toMemory);
    const done = Math.floor(r.moved / SECTOR_SIZE);
    if (!toMemory) {
      s.image.set(data.subarray(0, done * SECTOR_SIZE), base);
      this.wrote(base, done * SECTOR_SIZE);
    }
    if (toMemory) s.sectorsRead += done;
    else s.sectorsWritten += done;
    s.lba += done;
    s.remaining -= done;
    s.head = s.lba;
    if (!r.ok) return this.dmaError();
    if (r.moved < total) {
      s.bmStatus &= ~BM_ST_ACTIVE;
      Object.assign(s, { phase: PHASE_DMA_WAIT, status: ATA_DRDY | ATA_DRQ });
      return;
    }
    if (r.exhausted) s.bmStatus &= ~BM_ST_ACTIVE;
    this.finish();
  }

  /**
   * Walks the PRD table moving `data` to (toMemory) or from RAM, entry by entry, at most
   * PRD_MAX_ENTRIES. Returns the bytes moved, whether every access was allowed, and whether the
   * table's last entry was used up exactly (the engine then goes inactive).
   */
  private walkPrd(data: Uint8Array, toMemory: boolean): { moved: number; ok: boolean; exhausted: boolean } {
    const dma = this.ctx.dma;
    const entry = new Uint8Array(8);
    let moved = 0;
    let ptr = this.state.bmPrd;
    for (let i = 0; i < PRD_MAX_ENTRIES && moved < data.length; i++, ptr = (ptr + 8) >>> 0) {
      if (!dma.read(NAME, ptr, entry)) return { moved, ok: false, exhausted: true };
      const addr = (entry[0] | (entry[1] << 8) | (entry[2] << 16) | (entry[3] << 24)) & ~1;
      const len = (entry[4] | (entry[5] << 8)) & 0xfffe || 0x10000;
      const n = Math.min(len, data.length - moved);
      const chunk = data.subarray(moved, moved + n);
      if (!(toMemory ? dma.write(NAME, addr >>> 0, chunk) : dma.read(NAME, addr >>> 0, chunk)))
        return { moved, ok: false, exhausted: true };
      moved += n;
      if (entry[7] & 0x80) return { moved, ok: true, exhausted: n === len };
    }
    return { moved, ok: true, exhausted: false };
  }

  /** A refused bus-master access: engine error, device ABRT, interrupt. */
  private dmaError(): void {
    this.state.bmStatus = (this.state.bmStatus | BM_ST_ERROR) & ~BM_ST_ACTIVE;
    this.fail(ATA_ABRT);
  }
}

/** An image of exactly `sectors` sectors: `image` itself when `adopt` and it fits, else a padded copy. */
function diskImage(sectors: number, image: Uint8Array | undefined, adopt: boolean): Uint8Array {
  const size = sectors * SECTOR_SIZE;
  if (adopt && image && image.length === size) return image;
  const copy = new Uint8Array(size);
  if (image) copy.set(image.subarray(0, size));
  return copy;
}

export const ATA_MODEL = "BULKHEAD EMULATED DISK";
const ATA_FIRMWARE = "1.0";

/**
 * Fills `buf` (512 bytes) with IDENTIFY DEVICE data for a disk of `sectors` sectors: a fixed,
 * non-removable ATA-6 disk with LBA28, multiword DMA 0-2, FLUSH CACHE, CHS geometry
 * 16 heads x 63 sectors, and the integrity word (signature 0xA5 + checksum) in word 255.
 */
function fillIdentify(buf: Uint8Array, sectors: number, serial: string): void {
  buf.fill(0);
  const word = (i: number, v: number) => {
    buf[2 * i] = v & 0xff;
    buf[2 * i + 1] = (v >>> 8) & 0xff;
  };
  const cylinders = Math.min(16383, Math.floor(sectors / (ATA_HEADS * ATA_SECTORS_PER_TRACK)));
  const chsSectors = cylinders * ATA_HEADS * ATA_SECTORS_PER_TRACK;
  const lba28 = Math.min(sectors, ATA_MAX_SECTORS);
  const words: Array<[number, number]> = [
    [0, 0x0040], // fixed disk
    [1, cylinders], [3, ATA_HEADS], [6, ATA_SECTORS_PER_TRACK],
    [49, 0x0300], // LBA and DMA supported
    [53, 0x0007], // words 54-58, 64-70 and 88 valid
    [54, cylinders], [55, ATA_HEADS], [56, ATA_SECTORS_PER_TRACK],
    [57, chsSectors & 0xffff], [58, chsSectors >>> 16],
    [60, lba28 & 0xffff], [61, lba28 >>> 16],
    [63, 0x0007], // multiword DMA modes 0-2 supported
    [80, 0x007e], // ATA-1 .. ATA-6
    [83, 0x5000], [86, 0x1000], // FLUSH CACHE supported / enabled (word 83 bit 14: valid)
    [84, 0x4000], [87, 0x4000],
  ];
  for (const [i, v] of words) word(i, v);
  putString(buf, 10, 20, serial);
  putString(buf, 23, 8, ATA_FIRMWARE);
  putString(buf, 27, 40, ATA_MODEL);
  buf[510] = 0xa5;
  let sum = 0;
  for (let i = 0; i < 511; i++) sum += buf[i];
  buf[511] = -sum & 0xff;
}

/** ATA string: space-padded ASCII, two characters per word, first character in the high byte. */
function putString(buf: Uint8Array, firstWord: number, length: number, text: string): void {
  const padded = text.slice(0, length).padEnd(length, " ");
  for (let i = 0; i < length; i++) buf[2 * firstWord + (i ^ 1)] = padded.charCodeAt(i) & 0x7f;
}
