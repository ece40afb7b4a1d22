/*
 * rtl8139: the Ethernet driver for the Realtek RTL8139, after MINIX 3's drivers/net/rtl8139
 * (DEVICES.md §1.4-1.6), serving the network-driver protocol through libsys's netdriver
 * framework.
 *
 *   init       buffers (one static block: four transmit buffers and the 64 KiB receive ring, its
 *              physical address from SYS_UMAP), IRQ 11 with policy 0 (the line stays masked after
 *              each interrupt until we re-enable it), then the hardware: CR.RST with a bounded
 *              spin, the chip version from TCR, the MAC from IDR0-5, RBSTART and TSAD0-3, IMR,
 *              RE then TE, RCR (64 KiB ring and the filters), TCR's inter-frame gap.
 *   send       four transmit slots used strictly in order 0,1,2,3,0...: the frame is copied from
 *              the client's grant into slot n's buffer and TSDn gets its size; a send waits in the
 *              framework while all four slots are busy.
 *   receive    while CR.BUFE is clear: the 4-byte header at our read offset (a bad header is a
 *              panic, as in MINIX: the fail-stop path RS recovers from), the frame (FCS dropped)
 *              copied to the client's grant, in two parts when it wraps past the ring's end, then
 *              CAPR = new offset - 16.
 *   interrupts ISR read and written back (acknowledged), then the receive and transmit work; the
 *              transmit scan frees slots from the oldest: TOK done, TUN raises the early transmit
 *              threshold, TABT is a panic (MINIX).
 *   watchdog   a tick every second: if a send is outstanding and no slot completed since the
 *              previous tick, the chip is reset (MINIX's "TX timeout").
 *
 * The ring is 64 KiB as in MINIX (RBLEN = 3, no WRAP: a frame that crosses the end continues at
 * offset 0). Memory is not tight: the driver's image is about 72 KiB larger for it.
 */
#include "netdriver.h"
#include "rtl8139.h"

#define RL_N_TX           4
#define RL_TX_BUF_SIZE    1536                 /* >= NDEV_FRAME_MAX, a multiple of 4 */
#define RL_RX_RING_SIZE   0x10000              /* 64 KiB (RL_RCR_RBLEN_64K) */
#define RL_RX_SLACK       16                   /* MINIX allocates the ring + 16 bytes */
#define RL_RX_LEN_MAX     (2 * (NDEV_FRAME_MAX + RL_CRC_LEN))   /* a larger header is corrupt (MINIX) */
#define RL_RX_LEN_MIN     8
#define RL_ERTXTH_INIT    8                    /* 256 bytes in the FIFO before sending starts */
#define RL_RESET_SPINS    100000               /* CR reads before a reset counts as stuck */
#define RL_SPIN_CLOCK     32                   /* CR reads between two looks at the clock */
#define RL_DEFAULT_HZ     100
#define RL_DEFAULT_MODE   (NDEV_MODE_UNICAST | NDEV_MODE_BROADCAST)

/* The buffers the chip reaches by DMA: one block, so one SYS_UMAP gives every address. */
static struct {
  uint8_t tx[RL_N_TX][RL_TX_BUF_SIZE];
  uint8_t rx[RL_RX_RING_SIZE + RL_RX_SLACK];
} rl_buf __attribute__((aligned(4096)));

/* The driver's state: set by rl_init and rl_reset_hw, changed by requests and interrupts where noted. */
static struct {
  uint32_t base;              /* I/O base port */
  int irq_hook;               /* the kernel's hook id for our IRQ */
  uint32_t hz;                /* clock ticks per second */
  uint32_t buf_phys;          /* physical address of rl_buf */
  uint8_t mac[ETH_ADDR_LEN];  /* from IDR0-5 */
  const char *version;        /* chip name from TCR */
  uint32_t mode;              /* NDEV_MODE_* (NDEV_CONF) */
  int link;                   /* 1 up (MSR), refreshed on link-change interrupts */
  uint32_t rx_ofs;            /* our read offset in the ring (receive) */
  uint32_t tx_head;           /* the slot the next frame goes into (send) */
  uint32_t tx_tail;           /* the oldest busy slot (transmit scan) */
  uint32_t tx_busy;           /* busy slots */
  uint32_t tx_size[RL_N_TX];  /* bytes in each busy slot */
  uint32_t ertxth;            /* early transmit threshold, 32-byte units (raised on TUN) */
  int tx_alive;               /* a slot completed (or none was busy) since the last tick */
} rl;

static ndev_stat rl_stat;     /* counters for NDEV_GETSTAT */

static int rl_init(uint8_t hwaddr[ETH_ADDR_LEN], uint32_t *tick_ticks);
static int rl_reset(void);
static int rl_link(void);
static void rl_mode(uint32_t mode);
static int rl_send(const struct netdriver_data *data);
static ssize_t rl_recv(const struct netdriver_data *data);
static void rl_stats(ndev_stat *stat);
static void rl_intr(uint32_t mask);
static void rl_tick(void);

static const struct netdriver rl_table = {
  .ndr_init = rl_init,
  .ndr_reset = rl_reset,
  .ndr_link = rl_link,
  .ndr_mode = rl_mode,
  .ndr_send = rl_send,
  .ndr_recv = rl_recv,
  .ndr_stat = rl_stats,
  .ndr_intr = rl_intr,
  .ndr_tick = rl_tick,
};

/* ---- registers -------------------------------------------------------------------------------- */

/* Register reads return 0 if the kernel refused the access (it was printed by nobody: rare). */
static uint32_t rl_inb(uint32_t reg)
{
  uint32_t v = 0;

  sys_inb(rl.base + reg, &v);
  return v;
}

static uint32_t rl_inw(uint32_t reg)
{
  uint32_t v = 0;

  sys_inw(rl.base + reg, &v);
  return v;
}

static uint32_t rl_inl(uint32_t reg)
{
  uint32_t v = 0;

  sys_inl(rl.base + reg, &v);
  return v;
}

static void rl_outb(uint32_t reg, uint32_t v)
{
  sys_outb(rl.base + reg, v);
}

static void rl_outw(uint32_t reg, uint32_t v)
{
  sys_outw(rl.base + reg, v);
}

static void rl_outl(uint32_t reg, uint32_t v)
{
  sys_outl(rl.base + reg, v);
}

/* ---- reset and configuration ------------------------------------------------------------------ */

/* The chip's name for the hardware version bits of TCR, or NULL. */
static const char *rl_version_name(uint32_t tcr)
{
  static const struct { uint32_t bits; const char *name; } versions[] = {
    { 0x40000000, "RTL8139" },     { 0x60000000, "RTL8139 rev K" }, { 0x70000000, "RTL8139A" },
    { 0x70800000, "RTL8139A-G" },  { 0x78000000, "RTL8139B" },      { 0x7c000000, "RTL8130" },
    { 0x74000000, "RTL8139C" },    { 0x78800000, "RTL8100" },       { 0x74400000, "RTL8100B/8139D" },
    { 0x74800000, "RTL8139C+" },   { 0x74c00000, "RTL8101" },
  };
  uint32_t i;

  for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
    if ((tcr & RL_TCR_HWVER_MASK) == versions[i].bits) return versions[i].name;
  return NULL;
}

/* CR.RST, then spins until the chip clears it: at most RL_RESET_SPINS reads or one second. */
static int rl_chip_reset(void)
{
  uint64_t start = 0, now;
  int clock_ok, i;

  rl_outb(RL_CR, RL_CR_RST);
  clock_ok = sys_getuptime(&start) == OK;
  for (i = 0; i < RL_RESET_SPINS; i++) {
    if (!(rl_inb(RL_CR) & RL_CR_RST)) return OK;
    if (clock_ok && i % RL_SPIN_CLOCK == RL_SPIN_CLOCK - 1) {
      if (sys_getuptime(&now) == OK && now - start > rl.hz) break;
    }
  }
  return -ETIMEDOUT;
}

/* The RCR filter bits for NDEV_MODE_* `mode`. */
static uint32_t rl_filters(uint32_t mode)
{
  uint32_t rcr = 0;

  if (mode & NDEV_MODE_UNICAST) rcr |= RL_RCR_APM;
  if (mode & NDEV_MODE_BROADCAST) rcr |= RL_RCR_AB;
  if (mode & NDEV_MODE_MULTICAST) rcr |= RL_RCR_AM;
  if (mode & NDEV_MODE_PROMISC) rcr |= RL_RCR_AAP | RL_RCR_APM | RL_RCR_AB | RL_RCR_AM;
  return rcr;
}

/*
 * Writes RCR (ring size and filters); a multicast mode opens the whole hash (MAR all ones). The
 * chip may move its ring pointers when RCR is written (QEMU's model resets them), so our read
 * offset is taken back from CAPR afterwards.
 */
static void rl_set_rcr(void)
{
  uint32_t filters = rl_filters(rl.mode);
  uint32_t mar = (filters & RL_RCR_AM) ? 0xffffffff : 0;

  rl_outl(RL_MAR0, mar);
  rl_outl(RL_MAR0 + 4, mar);
  rl_outl(RL_RCR, RL_RCR_RBLEN_64K | filters);
  rl.rx_ofs = (rl_inw(RL_CAPR) + 16) % RL_RX_RING_SIZE & ~3u;
}

/* The link state from MSR: 1 up, 0 down. */
static int rl_link_now(void)
{
  return (rl_inb(RL_MSR) & RL_MSR_LINKB) ? 0 : 1;
}

/*
 * Resets and programs the chip; every frame in flight is lost and all transmit slots are free
 * afterwards. Returns OK, or -ENXIO when no chip answers (the bus floats: all ones).
 */
static int rl_reset_hw(void)
{
  uint32_t tcr;
  int i;

  rl_stat.resets++;
  if (rl_chip_reset() != OK) printf("reset did not complete; carrying on\n");   /* MINIX: a warning */
  tcr = rl_inl(RL_TCR);
  if (tcr == 0xffffffff) return -ENXIO;
  rl.version = rl_version_name(tcr);
  for (i = 0; i < ETH_ADDR_LEN; i++) rl.mac[i] = (uint8_t)rl_inb(RL_IDR0 + i);
  rl_outl(RL_RBSTART, rl.buf_phys + (uint32_t)(rl_buf.rx - (uint8_t *)&rl_buf));
  for (i = 0; i < RL_N_TX; i++) rl_outl(RL_TSAD(i), rl.buf_phys + (uint32_t)(rl_buf.tx[i] - (uint8_t *)&rl_buf));
  rl_outw(RL_IMR, RL_IMR_ALL);
  rl_outb(RL_CR, rl_inb(RL_CR) | RL_CR_RE);   /* RE before RCR is written, then TE */
  rl_outb(RL_CR, rl_inb(RL_CR) | RL_CR_TE);
  rl_set_rcr();
  rl_outl(RL_TCR, rl_inl(RL_TCR) | RL_TCR_IFG_STD);
  rl.tx_head = rl.tx_tail = rl.tx_busy = 0;
  rl.ertxth = RL_ERTXTH_INIT;
  rl.tx_alive = 1;
  rl.link = rl_link_now();
  return OK;
}

/* ndr_init: buffers, IRQ and the chip. The MAC goes to hwaddr; the watchdog ticks every second. */
static int rl_init(uint8_t hwaddr[ETH_ADDR_LEN], uint32_t *tick_ticks)
{
  int hz, r;

  rl.base = PORT_RTL8139;
  hz = sys_hz();
  rl.hz = hz > 0 ? (uint32_t)hz : RL_DEFAULT_HZ;
  rl.mode = RL_DEFAULT_MODE;
  r = sys_umap(&rl_buf, sizeof(rl_buf), &rl.buf_phys);
  if (r != OK) {
    printf("cannot map the DMA buffers: %d\n", r);
    return r;
  }
  rl.irq_hook = IRQ_RTL8139;
  r = sys_irqsetpolicy(IRQ_RTL8139, 0, &rl.irq_hook);
  if (r == OK) r = sys_irqenable(&rl.irq_hook);
  if (r != OK) {
    printf("cannot set up IRQ %d: %d\n", IRQ_RTL8139, r);
    return r;
  }
  r = rl_reset_hw();
  if (r != OK) {
    printf("no RTL8139 at 0x%x\n", (unsigned)rl.base);
    return r;
  }
  memcpy(hwaddr, rl.mac, ETH_ADDR_LEN);
  *tick_ticks = rl.hz;
  printf("%s at 0x%x, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", rl.version ? rl.version : "unknown RTL8139",
         (unsigned)rl.base, rl.mac[0], rl.mac[1], rl.mac[2], rl.mac[3], rl.mac[4], rl.mac[5], rl.link ? "up" : "down");
  return OK;
}

/* ndr_reset (NDEV_INIT): a fresh chip, default filters. */
static int rl_reset(void)
{
  rl.mode = RL_DEFAULT_MODE;
  return rl_reset_hw();
}

static int rl_link(void)
{
  return rl.link;
}

/* ndr_mode (NDEV_CONF): new receive filters. */
static void rl_mode(uint32_t mode)
{
  rl.mode = mode;
  rl_set_rcr();
}

/* ---- transmit --------------------------------------------------------------------------------- */

/* ndr_send: the frame into the next slot's buffer, TSADn = its address, and TSDn = threshold | size starts it. */
static int rl_send(const struct netdriver_data *data)
{
  uint32_t slot = rl.tx_head, size = data->size;
  int r;

  if (rl.tx_busy >= RL_N_TX) return NETDRIVER_SUSPEND;
  if (size > RL_TX_BUF_SIZE) return -EINVAL;
  r = netdriver_copyin(data, 0, rl_buf.tx[slot], size);
  if (r != OK) return r;
  if (size < NDEV_FRAME_MIN) {   /* the chip does not pad */
    memset(rl_buf.tx[slot] + size, 0, NDEV_FRAME_MIN - size);
    size = NDEV_FRAME_MIN;
  }
  rl.tx_size[slot] = size;
  rl.tx_head = (slot + 1) % RL_N_TX;
  rl.tx_busy++;
  /* The slot's buffer address before every frame, as the BSD rl(4) drivers write it (MINIX
   * writes TSAD0-3 once, at init): the device is handed a DMA address while the system runs. */
  rl_outl(RL_TSAD(slot), rl.buf_phys + (uint32_t)(rl_buf.tx[slot] - (uint8_t *)&rl_buf));
  rl_outl(RL_TSD(slot), (rl.ertxth << RL_TSD_ERTXTH_SHIFT) | size);
  return OK;
}

/*
 * Frees the slots the chip is done with, oldest first: TOK is a frame sent; TUN raises the
 * early transmit threshold by 32 bytes; TABT is a panic (MINIX does the same). Returns the
 * number of slots freed.
 */
static int rl_tx_scan(void)
{
  uint32_t tsd, slot;
  int freed = 0;

  while (rl.tx_busy > 0) {
    slot = rl.tx_tail;
    tsd = rl_inl(RL_TSD(slot));
    if (!(tsd & (RL_TSD_TOK | RL_TSD_TUN | RL_TSD_TABT))) break;
    if (tsd & RL_TSD_TABT) {
      rl_stat.tx_errors++;
      panic("transmit aborted: TSD%u = 0x%08x", (unsigned)slot, (unsigned)tsd);
    }
    if (tsd & RL_TSD_TUN) {
      rl_stat.tx_errors++;
      if (rl.ertxth < RL_TSD_ERTXTH_MAX) rl.ertxth++;
    }
    if (tsd & RL_TSD_TOK) {
      rl_stat.tx_frames++;
      rl_stat.tx_bytes += rl.tx_size[slot];
    }
    rl.tx_tail = (slot + 1) % RL_N_TX;
    rl.tx_busy--;
    rl.tx_alive = 1;
    freed++;
  }
  return freed;
}

/* ---- receive ---------------------------------------------------------------------------------- */

/* Copies n bytes of the ring from offset `off` to the client, in two parts if they wrap. */
static int rl_copy_frame(const struct netdriver_data *data, uint32_t off, uint32_t n)
{
  uint32_t first = RL_RX_RING_SIZE - off;
  int r;

  if (first >= n) return netdriver_copyout(data, 0, rl_buf.rx + off, n);
  r = netdriver_copyout(data, 0, rl_buf.rx + off, first);
  if (r != OK) return r;
  return netdriver_copyout(data, first, rl_buf.rx, n - first);
}

/*
 * ndr_recv: the frame at our read offset. NETDRIVER_SUSPEND while the ring is empty (or the
 * chip has not finished writing the frame); 0 when the frame was too big for the client's
 * buffer (dropped); else the frame's length or the copy's error. A corrupt header panics.
 */
static ssize_t rl_recv(const struct netdriver_data *data)
{
  uint32_t hdr, len, avail, n;
  int r;

  if (rl_inb(RL_CR) & RL_CR_BUFE) return NETDRIVER_SUSPEND;
  hdr = *(volatile uint32_t *)(rl_buf.rx + rl.rx_ofs);
  len = hdr >> RL_RXS_LEN_SHIFT;
  if (!(hdr & RL_RXS_ROK) || len < RL_RX_LEN_MIN || len > RL_RX_LEN_MAX)
    panic("bad receive header 0x%08x at ring offset 0x%x", (unsigned)hdr, (unsigned)rl.rx_ofs);
  avail = (rl_inw(RL_CBR) - rl.rx_ofs) % RL_RX_RING_SIZE;
  if (avail != 0 && avail < len + 4) return NETDRIVER_SUSPEND;   /* still being written */
  n = len - RL_CRC_LEN;
  if (n > data->size || n > NDEV_FRAME_MAX) {
    rl_stat.rx_size_errors++;
    r = 0;
  } else {
    r = rl_copy_frame(data, (rl.rx_ofs + 4) % RL_RX_RING_SIZE, n);
    if (r == OK) {
      rl_stat.rx_frames++;
      rl_stat.rx_bytes += n;
      r = (int)n;
    }
  }
  rl.rx_ofs = ((rl.rx_ofs + 4 + len + 3) & ~3u) % RL_RX_RING_SIZE;
  rl_outw(RL_CAPR, (rl.rx_ofs - 16) & 0xffff);
  return r;
}

/* ---- interrupts, watchdog, statistics --------------------------------------------------------- */

/* A receive overflow: the chip dropped frames; its missed-packet counter says how many. */
static void rl_overflow(void)
{
  uint32_t missed = rl_inl(RL_MPC) & 0xffffff;

  rl_outl(RL_MPC, 0);
  rl_stat.rx_overruns += missed ? missed : 1;
}

/* ndr_intr: acknowledge everything ISR shows, do the work, re-enable the IRQ line. */
static void rl_intr(uint32_t mask)
{
  uint32_t isr;
  int r;

  if (rl.irq_hook < 0 || rl.irq_hook > 31 || !(mask & (1u << rl.irq_hook))) return;
  isr = rl_inw(RL_ISR);
  rl_outw(RL_ISR, isr);
  if (isr & (RL_INT_RXOVW | RL_INT_FOVW)) rl_overflow();
  if (isr & RL_INT_PUN) rl.link = rl_link_now();
  if (rl_tx_scan() > 0) netdriver_send();   /* the scan always runs, as in MINIX */
  if (isr & (RL_INT_ROK | RL_INT_RER | RL_INT_RXOVW | RL_INT_FOVW)) netdriver_recv();
  r = sys_irqenable(&rl.irq_hook);
  if (r != OK) printf("irqenable failed: %d\n", r);
}

/* ndr_tick: the transmit watchdog. */
static void rl_tick(void)
{
  if (rl.tx_busy == 0 || rl.tx_alive) {
    rl.tx_alive = rl.tx_busy == 0;   /* busy slots must complete one before the next tick */
    return;
  }
  printf("TX timeout, resetting\n");
  rl_stat.tx_timeouts++;
  if (rl_reset_hw() != OK) panic("the chip is gone");
  netdriver_send();
}

static void rl_stats(ndev_stat *stat)
{
  *stat = rl_stat;
}

int main(void)
{
  netdriver_task(&rl_table);
}
