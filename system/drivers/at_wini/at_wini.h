/*
 * The hardware at_wini drives: the primary IDE channel's master disk and its bus-master DMA
 * engine (Intel PIIX style), as emulated by system/machine/devices/ata.ts on the ports of
 * system/machine/memmap.ts. Names match the TypeScript ones; test/drivers/build.test.ts checks
 * that the values do too.
 */
#ifndef AT_WINI_H
#define AT_WINI_H

/* Ports and IRQ line (memmap.ts) */
#define PORT_ATA_CMD   0x01f0   /* command block: 8 registers */
#define PORT_ATA_CTRL  0x03f6   /* alternate status (read) / device control (write) */
#define PORT_ATA_BM    0xc000   /* bus-master DMA registers */
#define IRQ_ATA        14

/* Command block register offsets from PORT_ATA_CMD */
#define ATA_DATA            0   /* 16-bit PIO data */
#define ATA_ERROR_FEATURES  1   /* error (read) / features (write) */
#define ATA_COUNT           2   /* sector count (0 = 256) */
#define ATA_LBA_LOW         3
#define ATA_LBA_MID         4
#define ATA_LBA_HIGH        5
#define ATA_DEVICE          6   /* drive/head: LBA bit, drive select, LBA bits 27..24 */
#define ATA_STATUS_COMMAND  7   /* status (read; acknowledges the interrupt) / command (write) */

/* Status register bits */
#define ATA_BSY   0x80   /* busy: no other bit is valid */
#define ATA_DRDY  0x40   /* device ready */
#define ATA_DF    0x20   /* device fault */
#define ATA_DRQ   0x08   /* data request: the device wants / has a sector */
#define ATA_ERR   0x01   /* the error register says what went wrong */

/* Error register bits */
#define ATA_ABRT  0x04   /* command aborted */
#define ATA_IDNF  0x10   /* sector not found */
#define ATA_UNC   0x40   /* uncorrectable data */

/* Device control register bits */
#define ATA_NIEN  0x02   /* interrupts disabled */
#define ATA_SRST  0x04   /* software reset */

/* Device register: LBA addressing, master drive (0xa0: obsolete bits 7 and 5) */
#define ATA_DEV_LBA_MASTER  0xe0

/* Commands */
#define CMD_READ_SECTORS   0x20
#define CMD_WRITE_SECTORS  0x30
#define CMD_READ_DMA       0xc8
#define CMD_WRITE_DMA      0xca
#define CMD_IDENTIFY       0xec

/* Bus-master registers (offsets from PORT_ATA_BM) and bits */
#define BM_COMMAND  0
#define BM_STATUS   2
#define BM_PRD      4   /* physical address of the PRD table (32 bits) */
#define BM_CMD_START      0x01
#define BM_CMD_TO_MEMORY  0x08   /* the device writes memory: a disk read */
#define BM_ST_ACTIVE      0x01
#define BM_ST_ERROR       0x02   /* write 1 to clear */
#define BM_ST_INTERRUPT   0x04   /* write 1 to clear */

/*
 * Physical region descriptor: two words, the buffer's physical address (even) and the byte count
 * in the low 16 bits (0 = 64 KiB) with bit 31 marking the table's last entry.
 */
#define PRD_EOT        0x80000000u
#define PRD_MAX_BYTES  0x10000u

/* IDENTIFY DEVICE words */
#define ID_CAPABILITIES  49   /* bit 8: DMA, bit 9: LBA */
#define ID_CAP_DMA       0x0100
#define ID_CAP_LBA       0x0200
#define ID_MODEL         27   /* 40 characters, two per word, first in the high byte */
#define ID_MODEL_LEN     40
#define ID_LBA_SECTORS   60   /* words 60-61: LBA28 capacity in sectors */

#define SECTOR_SIZE      512
#define SECTOR_SHIFT     9
#define ATA_MAX_SECTORS  0x0fffffff   /* LBA28 */

#endif
