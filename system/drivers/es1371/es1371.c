/*
 * Audio driver for the Ensoniq ES1371 (AudioPCI 97), after MINIX 3's es1371 driver and its
 * libaudiodriver framework (../shared/DEVICES.md §2.5 [M-es]): /dev/audio (minor 0) plays on
 * DAC1 by bus-master DMA from a buffer of two fragments in the driver's own memory (double
 * buffering). A write must be exactly one fragment; it is answered once copied into a free
 * fragment, or kept (suspended) until the card has played one. The card interrupts after each
 * fragment (the DAC1 sample counter); the driver then frees that fragment, takes the waiting
 * write into it, and pauses the DAC when nothing is left to play. Rate, format, fragment size
 * and master volume are set by ioctls; volume, rate and format are published in DS
 * ("<label>.vol", ".rate", ".fmt") and taken back at (re)start: stateful recovery.
 *
 *   init   CONTROL, LEGACY, SERIAL = 0; the 16 frame pages zeroed; SRC init; AC'97 init; IRQ 10
 *   write  es_write -> es_fill (copy into a fragment) -> es_start (program and enable DAC1)
 *   intr   es_intr: acknowledge (P1_INT_EN off, on), es_played (free, refill, pause/stop)
 *
 * Differences from MINIX, each for a reason:
 * - One device file, /dev/audio, minor 0 = DAC1; the volume ioctls work on it too (MINIX has them
 *   on the mixer minor only), written to the AC'97 master register as 31 - level per side with
 *   mute clear, as MINIX's MIXIOSETVOLUME does, and read back from the codec as MINIX reads them.
 * - Defaults: fragments of 4096 bytes (MINIX: 32 KiB), DSPIOSIZE 1024..16384 and a power of two
 *   (MINIX: 1024..32768): small fragments keep a run short in emulated time. Rates 4000..48000
 *   (abi.h; MINIX stops at 44100, the SRC goes to 48000 [Lens]).
 * - No extra buffers (MINIX keeps four more fragments): at most one write waits; VFS sends one
 *   request at a time, so a second gets EBUSY.
 * - Rate, format and fragment size cannot change while fragments are queued (EBUSY): they are
 *   programmed when playback starts (MINIX also writes its settings at every start), and the
 *   ring's geometry must not change under the card.
 * - A played fragment that no write refills at once is filled with silence, and after running
 *   out of data playback restarts at the start of the buffer (frame size and sample count
 *   rewritten) instead of resuming where the card was paused: the card goes on playing for the
 *   few microseconds until the driver pauses it, so MINIX's card replays stale samples there and
 *   its resumed fragment loses its first frames. Here those moments play silence and every
 *   written frame is played from its first.
 * - Close does what MINIX's does: with data still queued the card plays it out and is stopped
 *   (DAC1_EN off) at the interrupt that finds nothing left; with none it is stopped at once.
 * - Stateful recovery (not in MINIX, whose restarted driver comes back at its defaults).
 * - No live update, no capture (ADC), no DAC2, no DSPIO{MAX,RESET,FREEBUF,SAMPLESINBUF,PAUSE,RESUME}.
 */
#include "../lib/chardriver.h"
#include "es1371.h"

/* The DMA buffer: two fragments of up to FRAG_MAX bytes, page-aligned (physically contiguous). */
static uint8_t es_dma[NR_FRAGS * FRAG_MAX] __attribute__((aligned(4096)));

/* Driver state: set by es_init; changed by requests and interrupts where noted. */
static struct {
  int irq_hook;                 /* the kernel's hook id for IRQ 10 */
  uint32_t dma_phys;            /* physical address of es_dma */
  char label[16];               /* our label: the DS keys' prefix */
  uint32_t rate, bits, stereo;  /* playback settings (ioctls) */
  uint32_t frag;                /* fragment size in bytes (DSPIOSIZE) */
  int opened;                   /* /dev/audio is open (one open at a time) */
  int running;                  /* DAC1 enabled (playing, or paused out of data) */
  int paused;                   /* running but paused: nothing was left to play */
  int closing;                  /* closed with fragments queued: stop once they have played */
  uint32_t play;                /* fragment the card is playing */
  uint32_t fill;                /* next fragment to fill */
  uint32_t queued;              /* fragments filled and not yet played (0..NR_FRAGS) */
  int waiting;                  /* a write is suspended in req */
  struct chardriver_req req;    /* the suspended write */
} es;

/* ---- SRC and codec access (DEVICES.md §2.2) ---- */

/* Waits until none of `bits` is set in the register at `port`. OK, or -EIO after POLL_LIMIT reads. */
static int es_wait_clear(uint32_t port, uint32_t bits)
{
  uint32_t v;
  int i;

  for (i = 0; i < POLL_LIMIT; i++) {
    if (sys_inl(port, &v) != OK) return -EIO;
    if ((v & bits) == 0) return OK;
  }
  return -EIO;
}

/* The SRC register's control bits (disable, freeze), kept by every SRC access; 0 if unreadable. */
static uint32_t src_ctl(void)
{
  uint32_t v = 0;

  if (es_wait_clear(ES_SRC, SRC_BUSY) != OK || sys_inl(ES_SRC, &v) != OK) return 0;
  return v & SRC_CTL;
}

/* Writes `data` to SRC RAM word `addr`. */
static int src_write(uint32_t addr, uint32_t data)
{
  uint32_t ctl = src_ctl();

  return sys_outl(ES_SRC, ctl | SRC_WE | (addr << SRC_ADDR_SHIFT) | (data & SRC_DATA));
}

/* Reads SRC RAM word `addr` into *data. */
static int src_read(uint32_t addr, uint32_t *data)
{
  uint32_t v;
  int r;

  r = sys_outl(ES_SRC, src_ctl() | (addr << SRC_ADDR_SHIFT));
  if (r == OK) r = es_wait_clear(ES_SRC, SRC_BUSY);
  if (r == OK) r = sys_inl(ES_SRC, &v);
  if (r == OK) *data = v & SRC_DATA;
  return r;
}

/* Sets or clears SRC control bits (disable, DAC1 freeze). */
static int src_set_ctl(uint32_t bits, int on)
{
  uint32_t ctl = src_ctl();

  return sys_outl(ES_SRC, on ? ctl | bits : ctl & ~bits);
}

/*
 * One codec command (a write, or a read request with CODEC_PIRD), synchronised with the SRC as
 * MINIX and Linux do: wait WIP clear, ask the SRC for its safe state and wait until it shows,
 * write the command, wait WIP clear, put the SRC register back. OK or -EIO.
 */
static int codec_command(uint32_t cmd)
{
  uint32_t saved, v;
  int i, r;

  r = es_wait_clear(ES_CODEC, CODEC_WIP);
  if (r != OK) return r;
  r = es_wait_clear(ES_SRC, SRC_BUSY);
  if (r == OK) r = sys_inl(ES_SRC, &saved);
  if (r != OK) return r;
  saved &= ~(SRC_WE | SRC_BUSY | SRC_STATE);
  r = sys_outl(ES_SRC, (saved & SRC_CTL) | SRC_STATE_ASK);
  if (r != OK) return r;
  for (i = 0; i < POLL_LIMIT; i++) {
    if (sys_inl(ES_SRC, &v) != OK) break;
    if ((v & SRC_STATE) == SRC_STATE_ASK) break;
  }
  if (i == POLL_LIMIT) r = -EIO;
  if (r == OK) r = sys_outl(ES_CODEC, cmd);
  if (r == OK) r = es_wait_clear(ES_CODEC, CODEC_WIP);
  sys_outl(ES_SRC, saved);
  return r;
}

static int codec_write(uint32_t reg, uint32_t data)
{
  return codec_command((reg << CODEC_REG_SHIFT) | (data & 0xffff));
}

/* Reads AC'97 register `reg` into *data: a read request, then RDY with the value in 15:0. */
static int codec_read(uint32_t reg, uint32_t *data)
{
  uint32_t v;
  int i, r;

  r = codec_command(CODEC_PIRD | (reg << CODEC_REG_SHIFT));
  if (r != OK) return r;
  for (i = 0; i < POLL_LIMIT; i++) {
    if (sys_inl(ES_CODEC, &v) != OK) return -EIO;
    if ((v & (CODEC_RDY | CODEC_WIP)) == CODEC_RDY) {
      *data = v & 0xffff;
      return OK;
    }
  }
  return -EIO;
}

/* ---- Settings ---- */

/*
 * Programs DAC1's rate in the SRC (DEVICES.md §2.4, Linux's rounding): f = ((rate << 15) + 1500)
 * / 3000 into INT_REGS 15:10 and VFREQ_FRAC, with DAC1 frozen meanwhile.
 */
static int es_set_rate(uint32_t rate)
{
  uint32_t f = ((rate << 15) + 1500) / 3000;
  uint32_t regs = 0;
  int r;

  r = src_set_ctl(SRC_DIS_P1, 1);
  if (r == OK) r = src_read(SRC_DAC1 + SRC_INT_REGS, &regs);
  if (r == OK) r = src_write(SRC_DAC1 + SRC_INT_REGS, (regs & 0xff) | ((f >> 5) & 0xfc00));
  if (r == OK) r = src_write(SRC_DAC1 + SRC_VFREQ_FRAC, f & 0x7fff);
  if (src_set_ctl(SRC_DIS_P1, 0) != OK && r == OK) r = -EIO;
  return r;
}

/* The AC'97 master register for volume `vol` (left | right << 8, levels 0..31): 31 - level per side, mute clear. */
static uint32_t master_of(uint32_t vol)
{
  return ((VOL_MAX - (vol & 0x1f)) << 8) | (VOL_MAX - ((vol >> 8) & 0x1f));
}

/* Clamps a level as MINIX's get_set_volume does: 0..31. */
static uint32_t clamp_level(uint32_t level)
{
  return level > VOL_MAX ? VOL_MAX : level;
}

/* The volume (left | right << 8) the codec's master register holds: as MINIX reads it back (mute reads as 0). */
static uint32_t volume_of(uint32_t master)
{
  uint32_t left = clamp_level((master >> 8) & 0xff), right = clamp_level(master & 0xff);

  return (VOL_MAX - left) | ((VOL_MAX - right) << 8);
}

/* The format word published in DS: SERIAL's mode bits (bit 0 stereo, bit 1 16-bit). */
static uint32_t es_mode(void)
{
  return (es.stereo ? MODE_STEREO : 0) | (es.bits == 16 ? MODE_16BIT : 0);
}

/* Publishes "<label>.<what>" = value in DS; a failure is only reported (the setting itself holds). */
static void es_publish(const char *what, uint32_t value)
{
  char key[32];
  int r;

  snprintf(key, sizeof(key), "%s.%s", es.label, what);
  r = ds_publish_u32(key, value, DSF_OVERWRITE);
  if (r != OK) printf("cannot publish %s: %d\n", key, r);
}

/* Retrieves "<label>.<what>" from DS into *value. OK or the error (-ENOENT: nothing published). */
static int es_retrieve(const char *what, uint32_t *value)
{
  char key[32];

  snprintf(key, sizeof(key), "%s.%s", es.label, what);
  return ds_retrieve_u32(key, value);
}

/* ---- Initialisation ---- */

/* SRC init as L and M do (DEVICES.md §2.2): disable, zero the RAM, DAC blocks and volumes, rate, enable. */
static int es_src_init(void)
{
  uint32_t i;
  int r;

  r = es_wait_clear(ES_SRC, SRC_BUSY);
  if (r == OK) r = sys_outl(ES_SRC, SRC_DISABLE);
  for (i = 0; r == OK && i < SRC_RAM_WORDS; i++) r = src_write(i, 0);
  if (r == OK) r = src_write(SRC_DAC1 + SRC_TRUNC_N, 16 << 4);
  if (r == OK) r = src_write(SRC_DAC1 + SRC_INT_REGS, 16 << 10);
  if (r == OK) r = src_write(SRC_DAC2 + SRC_TRUNC_N, 16 << 4);
  if (r == OK) r = src_write(SRC_DAC2 + SRC_INT_REGS, 16 << 10);
  for (i = 0; r == OK && i < 2; i++) r = src_write(SRC_VOL_ADC + i, SRC_UNITY);
  for (i = 0; r == OK && i < 2; i++) r = src_write(SRC_VOL_DAC1 + i, SRC_UNITY);
  for (i = 0; r == OK && i < 2; i++) r = src_write(SRC_VOL_DAC2 + i, SRC_UNITY);
  if (r == OK) r = es_set_rate(es.rate);
  if (r == OK) r = es_wait_clear(ES_SRC, SRC_BUSY);
  if (r == OK) r = sys_outl(ES_SRC, 0);
  return r;
}

/* AC'97 init (DEVICES.md §2.5): reset, power up, PCM out 0 dB, master at `master`. */
static int es_codec_init(uint32_t master)
{
  int r;

  r = codec_write(AC97_RESET, 0);
  if (r == OK) r = codec_write(AC97_POWERDOWN, 0);
  if (r == OK) r = codec_write(AC97_PCM_OUT, AC97_PCM_DEFAULT);
  if (r == OK) r = codec_write(AC97_MASTER, master);
  return r;
}

/* The settings a previous incarnation published, where valid; the defaults otherwise. Returns the master register to program. */
static uint32_t es_recover(void)
{
  uint32_t v, master = AC97_MASTER_DEFAULT;

  es.rate = RATE_DEFAULT;
  es.bits = 16;
  es.stereo = 1;
  if (es_retrieve("rate", &v) == OK && v >= RATE_MIN && v <= RATE_MAX) es.rate = v;
  if (es_retrieve("fmt", &v) == OK && (v & ~(MODE_STEREO | MODE_16BIT)) == 0) {
    es.stereo = (v & MODE_STEREO) != 0;
    es.bits = v & MODE_16BIT ? 16 : 8;
  }
  if (es_retrieve("vol", &v) == OK && (v & ~0x1f1fu) == 0) master = master_of(v);
  return master;
}

static int es_init(uint32_t *tick_ticks)
{
  uint32_t master, page, off;
  int r;

  memset(&es, 0, sizeof(es));
  es.frag = FRAG_DEFAULT;
  if (sys_whoami(NULL, es.label, sizeof(es.label)) != OK || es.label[0] == '\0') strlcpy(es.label, "es1371", sizeof(es.label));
  master = es_recover();
  r = sys_umap(es_dma, sizeof(es_dma), &es.dma_phys);
  if (r != OK) return r;
  sys_outl(ES_CONTROL, 0);
  sys_outl(ES_LEGACY, 0);
  sys_outl(ES_LEGACY2, 0);
  sys_outl(ES_SERIAL, 0);
  /* 16-bit writes: sys_outl to 0x30 is kept for the one write that hands the card its DMA
   * address (es_start), the site BAD_DMA faults are aimed at (driver.json "dma"). */
  for (page = 0; page < ES_PAGES; page++) {
    sys_outb(ES_MEM_PAGE, page);
    for (off = 0; off < 16; off += 2) sys_outw(ES_PAGED + off, 0);
  }
  r = es_src_init();
  if (r == OK) r = es_codec_init(master);
  if (r != OK) {
    printf("card does not answer: %d\n", r);
    return r;
  }
  es.irq_hook = ES_IRQ;
  r = sys_irqsetpolicy(ES_IRQ, 0, &es.irq_hook);
  if (r == OK) r = sys_irqenable(&es.irq_hook);
  if (r != OK) return r;
  printf("ES1371 at 0x%x, %u Hz, %u-bit %s, master 0x%04x\n", ES_BASE, (unsigned)es.rate, (unsigned)es.bits,
         es.stereo ? "stereo" : "mono", (unsigned)master);
  *tick_ticks = 0;
  return OK;
}

/* ---- Playback ---- */

/* Read-modify-write of a 32-bit register: clears `clear`, then sets `set`. */
static void es_modify(uint32_t port, uint32_t clear, uint32_t set)
{
  uint32_t v = 0;

  sys_inl(port, &v);
  sys_outl(port, (v & ~clear) | set);
}

/* Frames per fragment at the current format. */
static uint32_t es_frag_frames(void)
{
  return es.frag / ((es.stereo ? 2 : 1) * (es.bits / 8));
}

/* Silence (8-bit unsigned: 0x80; 16-bit signed: 0) into fragment `i`. */
static void es_silence(uint32_t i)
{
  memset(es_dma + i * es.frag, es.bits == 8 ? 0x80 : 0, es.frag);
}

/*
 * Starts DAC1 at the buffer start (DEVICES.md §2.4, Linux's sequence for DAC2 applied to DAC1):
 * stop, rate, frame address and size, SERIAL mode with the interrupt enabled, sample count =
 * frames per fragment - 1, enable.
 */
static void es_start(void)
{
  es_modify(ES_CONTROL, CTRL_DAC1_EN, 0);
  if (es_set_rate(es.rate) != OK) printf("cannot set the rate\n");
  sys_outb(ES_MEM_PAGE, PAGE_DAC_FRAMES);
  sys_outl(ES_DAC1_FRAME_ADDR, es.dma_phys);
  sys_outl(ES_DAC1_FRAME_SIZE, NR_FRAGS * es.frag / 4 - 1);
  es_modify(ES_SERIAL, SER_P1_MODE | SER_P1_PAUSE | SER_P1_LOOP_SEL | SER_P1_INT_EN, es_mode() | SER_P1_INT_EN);
  sys_outl(ES_DAC1_COUNT, es_frag_frames() - 1);
  es_modify(ES_CONTROL, 0, CTRL_DAC1_EN);
  es.running = 1;
  es.paused = 0;
}

/* Stops DAC1 and forgets the ring. */
static void es_stop(void)
{
  es_modify(ES_CONTROL, CTRL_DAC1_EN, 0);
  es_modify(ES_SERIAL, SER_P1_INT_EN | SER_P1_PAUSE, 0);
  es.running = es.paused = es.closing = 0;
  es.queued = 0;
}

/*
 * Copies write `req` into the next free fragment. After running dry the ring starts over at the
 * buffer start and the card is started again. OK or the copy's error (nothing queued then).
 */
static int es_fill(const struct chardriver_req *req)
{
  int r;

  if (!es.running || es.paused) {
    es.play = es.fill = es.queued = 0;
    es_silence(0);
    es_silence(1);
  }
  r = chardriver_copyin(req, 0, es_dma + es.fill * es.frag, es.frag);
  if (r != OK) return r;
  es.fill = (es.fill + 1) % NR_FRAGS;
  es.queued++;
  if (!es.running || es.paused) es_start();
  return OK;
}

static ssize_t es_write(const struct chardriver_req *req)
{
  int r;

  if (req->minor != 0) return -ENXIO;
  if (req->size != es.frag) return -EINVAL;
  if (es.waiting) return -EBUSY;
  if (es.queued < NR_FRAGS) {
    r = es_fill(req);
    return r == OK ? (ssize_t)req->size : r;
  }
  es.req = *req;
  es.waiting = 1;
  return CHARDRIVER_SUSPEND;
}

/*
 * The card has played fragment es.play: it is free. The waiting write goes into it; otherwise it
 * is silenced. With nothing left to play DAC1 pauses (or stops, after a close); else the
 * interrupt is acknowledged (P1_INT_EN off, then on: MINIX's drv_reenable_int).
 */
static void es_played(void)
{
  uint32_t done = es.play;
  int r;

  es.play = (es.play + 1) % NR_FRAGS;
  if (es.queued > 0) es.queued--;
  if (es.waiting) {
    es.waiting = 0;
    r = es_fill(&es.req);
    chardriver_reply(&es.req, r == OK ? (int)es.req.size : r);
  } else {
    es_silence(done);
  }
  if (es.queued == 0) {
    if (es.closing) {
      es_stop();
      return;
    }
    es_modify(ES_SERIAL, SER_P1_INT_EN, SER_P1_PAUSE);
    es.paused = 1;
    return;
  }
  es_modify(ES_SERIAL, SER_P1_INT_EN, 0);
  es_modify(ES_SERIAL, 0, SER_P1_INT_EN);
}

static void es_intr(uint32_t mask)
{
  uint32_t status = 0;

  if (es.irq_hook < 0 || es.irq_hook > 31 || !(mask & (1u << es.irq_hook))) return;
  if (sys_inl(ES_STATUS, &status) == OK && (status & STAT_INTR) && (status & STAT_DAC1)) {
    if (es.running && !es.paused) es_played();
    else es_modify(ES_SERIAL, SER_P1_INT_EN, 0);   /* not ours to play: just take it back */
  }
  if (sys_irqenable(&es.irq_hook) != OK) printf("cannot enable IRQ %d\n", ES_IRQ);
}

/* ---- Requests ---- */

static int es_open(uint32_t minor, uint32_t access)
{
  (void)access;
  if (minor != 0) return -ENXIO;
  if (es.opened) return -EBUSY;
  es.opened = 1;
  es.closing = 0;
  return OK;
}

/* As MINIX's close_sub_dev: fragments still queued play out (es_played stops the card); else stop now. */
static int es_close(uint32_t minor)
{
  if (minor != 0) return -ENXIO;
  es.opened = 0;
  if (es.waiting) {
    es.waiting = 0;
    chardriver_reply(&es.req, -EINTR);
  }
  if (es.running && !es.paused && es.queued > 0) es.closing = 1;
  else if (es.running) es_stop();
  return OK;
}

/* DSPIOSIZE's rule: a power of two in FRAG_MIN..FRAG_MAX. */
static int frag_ok(uint32_t size)
{
  return size >= FRAG_MIN && size <= FRAG_MAX && (size & (size - 1)) == 0;
}

/* MIXIOSETVOLUME: the codec's master register, then DS. */
static int es_set_volume(uint32_t arg)
{
  uint32_t vol = clamp_level(arg & 0xff) | (clamp_level((arg >> 8) & 0xff) << 8);
  int r;

  r = codec_write(AC97_MASTER, master_of(vol));
  if (r != OK) return r;
  es_publish("vol", vol);
  return OK;
}

static int es_ioctl(uint32_t minor, uint32_t request, uint32_t arg, uint32_t *value)
{
  uint32_t master;
  int r;

  if (minor != 0) return -ENXIO;
  switch (request) {
  case MIXIOSETVOLUME:
    return es_set_volume(arg);
  case MIXIOGETVOLUME:
    r = codec_read(AC97_MASTER, &master);
    if (r == OK) *value = volume_of(master);
    return r;
  case DSPIORATE:
  case DSPIOSTEREO:
  case DSPIOBITS:
  case DSPIOSIZE:
    break;
  default:
    return -ENOTTY;
  }
  if (es.queued > 0 || es.waiting) return -EBUSY;   /* the ring is in use: see the header */
  switch (request) {
  case DSPIORATE:
    if (arg < RATE_MIN || arg > RATE_MAX) return -EINVAL;
    es.rate = arg;
    es_publish("rate", es.rate);
    return OK;
  case DSPIOSTEREO:
    if (arg > 1) return -EINVAL;
    es.stereo = arg;
    es_publish("fmt", es_mode());
    return OK;
  case DSPIOBITS:
    if (arg != 8 && arg != 16) return -EINVAL;
    es.bits = arg;
    es_publish("fmt", es_mode());
    return OK;
  default: /* DSPIOSIZE */
    if (!frag_ok(arg)) return -EINVAL;
    es.frag = arg;
    return OK;
  }
}

static const struct chardriver es1371_tab = {
  .cdr_init = es_init,
  .cdr_open = es_open,
  .cdr_close = es_close,
  .cdr_read = NULL,
  .cdr_write = es_write,
  .cdr_ioctl = es_ioctl,
  .cdr_intr = es_intr,
  .cdr_tick = NULL,
};

int main(void)
{
  chardriver_task(&es1371_tab);
}
