/*
 * The machine's physical memory map and port map, drawn once.
 *
 *   physical address space (32-bit)
 *   0x0000_0000 +------------------+
 *               |   (unmapped)     |  access fault
 *   0x0200_0000 +------------------+
 *               | CLINT (timer)    |  mtime / mtimecmp / msip
 *   0x0201_0000 +------------------+
 *               |   (unmapped)     |
 *   0x0300_0000 +------------------+
 *               | port I/O window  |  port p at 0x0300_0000 + p (M-mode/bare-metal use;
 *               |   64 KiB         |  the kernel builds decide who may map it)
 *   0x0301_0000 +------------------+
 *               |   (unmapped)     |
 *   0x0C00_0000 +------------------+
 *               | PLIC             |  priorities, pending, enables, threshold, claim
 *   0x1000_0000 +------------------+
 *               |   (unmapped)     |
 *   0x8000_0000 +------------------+
 *               | RAM (16 MiB by   |  the only memory the CPU and DMA can use
 *               |  default)        |
 *               +------------------+
 *
 *   port I/O space (16-bit), as on the PCs the papers used
 *   0x0092         system control port A (bit 0: fast reset)
 *   0x0378-0x037F  parallel port LPT1 (data, status, control; +3..+7 EPP, unused), a printer on it
 *   0x01F0-0x01F7  ATA command block (primary channel)
 *   0x03F6         ATA control block (device control / alternate status)
 *   0x03F8-0x03FF  console UART (COM1)
 *   0x0604         power-off register (write 0x2000)
 *   0x0CF9         reset control register (write 0x06 or 0x0E: hard reset)
 *   0xC000-0xC007  ATA bus-master DMA (PRD table pointer, command, status)
 *   0xC100-0xC1FF  RTL8139 network card (its 256-byte I/O BAR)
 *   0xC200-0xC23F  ES1371 audio card (its 64-byte I/O BAR0)
 *
 *   PLIC interrupt sources (level-triggered lines)
 *   4    console UART
 *   7    parallel port LPT1 (the printer)
 *   10   ES1371 audio card (its PCI INTA, routed here)
 *   11   RTL8139 network card
 *   14   ATA disk (primary channel)
 *   16   IOMMU fault (high while a refused device access is recorded and not yet taken; the
 *        kernel's own line, never a driver's: a platform line above the 16 ISA lines, as VT-d's
 *        fault event is a message-signalled interrupt of its own)
 */

export const RAM_BASE = 0x8000_0000;
export const RAM_SIZE_DEFAULT = 16 * 1024 * 1024;

export const CLINT_BASE = 0x0200_0000;
export const CLINT_SIZE = 0x1_0000;
export const PORT_WINDOW_BASE = 0x0300_0000;
export const PORT_WINDOW_SIZE = 0x1_0000;
export const PLIC_BASE = 0x0c00_0000;
export const PLIC_SIZE = 0x0400_0000;

export const PORT_SYSCTL_A = 0x0092;
export const PORT_ATA_CMD = 0x01f0;
export const PORT_ATA_CTRL = 0x03f6;
export const PORT_UART = 0x03f8;
export const PORT_POWEROFF = 0x0604;
export const PORT_RESET_CTRL = 0x0cf9;
export const PORT_ATA_BM = 0xc000;
export const PORT_RTL8139 = 0xc100;
export const PORT_ES1371 = 0xc200;
export const PORT_LPT1 = 0x0378;

/** PLIC interrupt source numbers (IRQ lines). */
export const IRQ_UART = 4;
export const IRQ_LPT1 = 7;
export const IRQ_ES1371 = 10;
export const IRQ_RTL8139 = 11;
export const IRQ_ATA = 14;
export const IRQ_IOMMU = 16;

/** Nominal CPU frequency: 1 cycle = 10 ns. mtime ticks once every MTIME_DIVIDER cycles (10 MHz). */
export const CPU_HZ = 100_000_000;
export const MTIME_DIVIDER = 10;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
