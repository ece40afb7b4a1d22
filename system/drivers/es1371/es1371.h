/*
 * Ensoniq ES1371 (AudioPCI 97) registers, bits and limits the es1371 driver uses. Offsets are
 * from the card's I/O base; facts from ../shared/DEVICES.md §2 (tags there: [Lens], [M-es]).
 */
#ifndef ES1371_H
#define ES1371_H

#define ES_BASE          0xc200   /* I/O BAR0 (memmap.ts PORT_ES1371), 64 ports */
#define ES_IRQ           10

/* Registers (§2.1). */
#define ES_CONTROL       (ES_BASE + 0x00)
#define ES_STATUS        (ES_BASE + 0x04)
#define ES_MEM_PAGE      (ES_BASE + 0x0c)
#define ES_SRC           (ES_BASE + 0x10)
#define ES_CODEC         (ES_BASE + 0x14)
#define ES_LEGACY        (ES_BASE + 0x18)
#define ES_LEGACY2       (ES_BASE + 0x1c)
#define ES_SERIAL        (ES_BASE + 0x20)
#define ES_DAC1_COUNT    (ES_BASE + 0x24)
#define ES_PAGED         (ES_BASE + 0x30)   /* 0x30-0x3f: the page MEM_PAGE selects */
#define ES_DAC1_FRAME_ADDR (ES_BASE + 0x30) /* with MEM_PAGE = PAGE_DAC_FRAMES */
#define ES_DAC1_FRAME_SIZE (ES_BASE + 0x34)
#define ES_PAGES         16
#define PAGE_DAC_FRAMES  0x0c

/* CONTROL and STATUS bits. */
#define CTRL_DAC1_EN     (1u << 6)
#define STAT_DAC1        (1u << 2)
#define STAT_INTR        0x80000000u

/* SERIAL bits: P1 (DAC1) mode 1:0 (bit 0 stereo, bit 1 16-bit), interrupt enable, pause, loop select. */
#define SER_P1_MODE      0x0003u
#define MODE_STEREO      1u
#define MODE_16BIT       2u
#define SER_P1_INT_EN    (1u << 8)
#define SER_P1_PAUSE     (1u << 11)
#define SER_P1_LOOP_SEL  (1u << 13)   /* 0: loop over the buffer, as the driver wants */

/* SRC register (§2.1, §2.2). */
#define SRC_ADDR_SHIFT   25
#define SRC_WE           (1u << 24)
#define SRC_BUSY         (1u << 23)
#define SRC_DISABLE      (1u << 22)
#define SRC_DIS_P1       (1u << 21)
#define SRC_DIS_P2       (1u << 20)
#define SRC_DIS_R1       (1u << 19)
#define SRC_CTL          (SRC_DISABLE | SRC_DIS_P1 | SRC_DIS_P2 | SRC_DIS_R1)
#define SRC_STATE        0x00070000u
#define SRC_STATE_ASK    0x00010000u   /* what the codec access writes, and the state it waits for */
#define SRC_DATA         0xffffu

/* SRC RAM (§2.1): 128 words; per-channel blocks and volumes. */
#define SRC_RAM_WORDS    0x80
#define SRC_DAC1         0x70
#define SRC_DAC2         0x74
#define SRC_TRUNC_N      0
#define SRC_INT_REGS     1
#define SRC_VFREQ_FRAC   3
#define SRC_VOL_ADC      0x6c
#define SRC_VOL_DAC1     0x7c
#define SRC_VOL_DAC2     0x7e
#define SRC_UNITY        (1u << 12)

/* CODEC register (§2.1, §2.2). */
#define CODEC_RDY        0x80000000u
#define CODEC_WIP        (1u << 30)
#define CODEC_PIRD       (1u << 23)
#define CODEC_REG_SHIFT  16

/* AC'97 codec registers (§2.3) and MINIX's init values (§2.5). */
#define AC97_RESET       0x00
#define AC97_MASTER      0x02
#define AC97_PCM_OUT     0x18
#define AC97_POWERDOWN   0x26
#define AC97_PCM_DEFAULT 0x0808   /* 0 dB, unmuted */
#define AC97_MASTER_DEFAULT 0x0101   /* MINIX's init value: attenuation 1 per side, i.e. level 30 */
#define AC97_MUTE        0x8000u
#define VOL_MAX          31      /* levels 0..31 per side (MINIX's max_level 0x1f) */

/* Polls of a busy bit before an access counts as failed (MINIX gives up on the SRC state after 0x1000). */
#define POLL_LIMIT       0x1000

/* Playback limits (brief; abi.h's DSPIORATE range). */
#define RATE_MIN         4000
#define RATE_MAX         48000
#define RATE_DEFAULT     44100
#define FRAG_MIN         1024
#define FRAG_MAX         16384
#define FRAG_DEFAULT     4096
#define NR_FRAGS         2

#endif
