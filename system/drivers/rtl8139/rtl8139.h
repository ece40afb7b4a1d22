/*
 * The hardware rtl8139 drives: a Realtek RTL8139 Fast Ethernet controller (DEVICES.md §1), as
 * emulated by system/machine/devices/rtl8139.ts at PORT_RTL8139 / IRQ_RTL8139 of
 * system/machine/memmap.ts. Register offsets are from the I/O base; all registers little-endian.
 */
#ifndef RTL8139_H
#define RTL8139_H

/* Port range and IRQ line (memmap.ts) */
#define PORT_RTL8139  0xc100   /* 256 ports */
#define IRQ_RTL8139   11

/* Registers (offset, access size the driver uses) */
#define RL_IDR0     0x00   /* 6 bytes: station MAC (byte) */
#define RL_MAR0     0x08   /* 8 bytes: multicast hash (dword) */
#define RL_TSD0     0x10   /* TSD0-3: transmit status of slot n at 0x10 + 4n (dword) */
#define RL_TSAD0    0x20   /* TSAD0-3: physical address of tx buffer n at 0x20 + 4n (dword) */
#define RL_RBSTART  0x30   /* physical address of the receive ring (dword) */
#define RL_CR       0x37   /* command (byte) */
#define RL_CAPR     0x38   /* current address of packet read, minus 16 (word) */
#define RL_CBR      0x3a   /* current buffer address: the chip's write offset (word) */
#define RL_IMR      0x3c   /* interrupt mask (word) */
#define RL_ISR      0x3e   /* interrupt status, write 1 to clear (word) */
#define RL_TCR      0x40   /* transmit configuration (dword) */
#define RL_RCR      0x44   /* receive configuration (dword) */
#define RL_MPC      0x4c   /* missed packets, 24 bits; a write clears it (dword) */
#define RL_MSR      0x58   /* media status (byte) */

#define RL_TSD(n)   (RL_TSD0 + 4 * (n))
#define RL_TSAD(n)  (RL_TSAD0 + 4 * (n))

/* CR bits */
#define RL_CR_RST   0x10   /* reset; reads 1 until the reset is done */
#define RL_CR_RE    0x08   /* receiver enable */
#define RL_CR_TE    0x04   /* transmitter enable */
#define RL_CR_BUFE  0x01   /* the receive ring is empty (read-only) */

/* TSD bits */
#define RL_TSD_SIZE         0x00001fff   /* bytes to send */
#define RL_TSD_OWN          0x00002000   /* the frame is in the chip's FIFO (the buffer is ours again) */
#define RL_TSD_TUN          0x00004000   /* transmit FIFO underrun */
#define RL_TSD_TOK          0x00008000   /* sent */
#define RL_TSD_ERTXTH_SHIFT 16           /* early transmit threshold, 32-byte units (6 bits) */
#define RL_TSD_ERTXTH_MAX   0x30         /* 1536 bytes: a whole frame before it starts */
#define RL_TSD_TABT         0x40000000   /* transmit aborted */

/* ISR / IMR bits */
#define RL_INT_ROK     0x0001   /* a frame was received */
#define RL_INT_RER     0x0002   /* receive error */
#define RL_INT_TOK     0x0004   /* a frame was sent */
#define RL_INT_TER     0x0008   /* transmit error */
#define RL_INT_RXOVW   0x0010   /* receive ring overflow: a frame was dropped */
#define RL_INT_PUN     0x0020   /* packet underrun / link change */
#define RL_INT_FOVW    0x0040   /* receive FIFO overflow */
#define RL_INT_LENCHG  0x2000
#define RL_INT_TIMEOUT 0x4000
#define RL_INT_SERR    0x8000
#define RL_IMR_ALL     0xe07f   /* every source, as MINIX enables them */

/* TCR: hardware version bits (read-only) and the inter-frame gap */
#define RL_TCR_HWVER_MASK 0x7cc00000
#define RL_TCR_IFG_STD    0x03000000   /* 802.3 standard inter-frame gap */

/* RCR bits */
#define RL_RCR_AAP      0x00000001   /* accept all packets (promiscuous) */
#define RL_RCR_APM      0x00000002   /* accept packets to our MAC */
#define RL_RCR_AM       0x00000004   /* accept multicast (hashed in MAR) */
#define RL_RCR_AB       0x00000008   /* accept broadcast */
#define RL_RCR_FILTERS  (RL_RCR_AAP | RL_RCR_APM | RL_RCR_AM | RL_RCR_AB)
#define RL_RCR_RBLEN_64K 0x00001800  /* ring of 64 KiB (RBLEN = 3) */

/* MSR bits */
#define RL_MSR_LINKB    0x04         /* 1 = link down */

/* Receive header (first word of each frame in the ring): status in 15:0, length in 31:16 */
#define RL_RXS_ROK      0x0001       /* received OK */
#define RL_RXS_LEN_SHIFT 16
#define RL_CRC_LEN      4            /* the ring holds each frame with its FCS */

#endif
