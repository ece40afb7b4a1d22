/*
 * at_wini: the disk driver, after MINIX 3's drivers/storage/at_wini. It drives the master disk of
 * the primary IDE channel (at_wini.h) with PIO or bus-master DMA and serves the block-device
 * protocol through libsys's blockdriver framework.
 *
 *   init       whoami, boot parameters ("dma=1" asks for DMA), HZ, grant table, IRQ 14 with
 *              policy 0 (the line stays masked after each interrupt until we re-enable it), a
 *              soft reset, IDENTIFY DEVICE (capacity, model, DMA support), announcement in DS.
 *   requests   BDEV_OPEN/CLOSE of minor 0; BDEV_READ/WRITE of whole sectors, split into chunks
 *              of at most AT_CHUNK_SECTORS through one static buffer; each chunk is retried after
 *              a controller reset up to AT_MAX_RETRIES times, then the request fails with -EIO.
 *   waiting    at_intr_wait() receives until the device interrupts or the alarm fires (timeout);
 *              it answers RS heartbeats meanwhile and queues other requests for later.
 *
 * Every port access goes through libsys (SYS_DEVIO / SYS_VDEVIO / SYS_SDEVIO) so the kernel
 * sees and checks it. Request range: a request that starts at or past the end of the disk fails
 * with -EIO; one that runs past the end is cut short at the end (the reply says how many bytes).
 */
#include "blockdriver.h"
#include "at_wini.h"

#define AT_CHUNK_SECTORS  16                                  /* sectors per command */
#define AT_BUF_SIZE       (AT_CHUNK_SECTORS * SECTOR_SIZE)    /* 8 KiB */
#define AT_PAGE_SIZE      4096
#define AT_BUF_PAGES      (AT_BUF_SIZE / AT_PAGE_SIZE)
#define AT_PRD_ENTRIES    AT_BUF_PAGES                        /* at most one entry per page */
#define AT_MAX_RETRIES    3      /* retries of a failed chunk, each after a reset */
#define AT_IDENTIFY_TRIES 3
#define AT_POLL_MAX       100000 /* status polls before a busy-wait gives up */
#define AT_POLL_CLOCK     32     /* polls between two looks at the clock */
#define AT_DEFAULT_HZ     60     /* if the kernel cannot tell us HZ */
#define AT_MAX_REQUEST    (0x7fffffffu >> SECTOR_SHIFT)   /* sectors: the reply must stay positive */
#define AT_LABEL_LEN      16
#define AT_PARAMS_LEN     128

/* The driver's state: set at init, changed by requests only where noted. */
static struct {
  char label[AT_LABEL_LEN];  /* our label (whoami), for the DS key */
  int irq_hook;              /* the kernel's hook id for IRQ_ATA */
  uint32_t timeout_ticks;    /* how long an interrupt may take (HZ / 2) */
  int want_dma;              /* boot parameter dma=1 */
  int use_dma;               /* want_dma and the disk supports DMA */
  int present;               /* IDENTIFY succeeded: sectors and model are valid */
  uint32_t sectors;          /* capacity in sectors (IDENTIFY words 60-61) */
  char model[ID_MODEL_LEN + 1];
  uint32_t open_count;       /* BDEV_OPENs minus BDEV_CLOSEs */
  uint32_t buf_phys[AT_BUF_PAGES];  /* physical address of each page of at_buf (DMA only) */
  uint32_t prd_phys;         /* physical address of prd_table (DMA only) */
  uint32_t last_status;      /* status and error registers at the last failure */
  uint32_t last_error;
} w;

/* Counters, logged with every failure and at the last close. */
static struct {
  uint32_t reads, writes;          /* requests */
  uint32_t sectors_read, sectors_written;
  uint32_t errors;                 /* failed chunk attempts (device error, timeout, copy) */
  uint32_t timeouts;
  uint32_t retries;
  uint32_t resets;
  uint32_t spurious;               /* interrupts and alarms that came while no one waited */
} stats;

/* One chunk of data on its way between the caller and the disk; page-aligned for DMA. */
static uint8_t at_buf[AT_BUF_SIZE] __attribute__((aligned(AT_PAGE_SIZE)));

/* The PRD table: two words per entry, 8-byte aligned and (64-byte aligned) within one page. */
static uint32_t prd_table[2 * AT_PRD_ENTRIES] __attribute__((aligned(64)));

static int at_open(uint32_t minor, uint32_t access);
static int at_close(uint32_t minor);
static ssize_t at_transfer(endpoint_t caller, int do_write, uint64_t pos, cp_grant_id_t grant, uint32_t count);
static void at_intr(uint32_t mask);
static void at_alarm(void);

static struct blockdriver at_dtab = {
  .bdr_open = at_open,
  .bdr_close = at_close,
  .bdr_transfer = at_transfer,
  .bdr_intr = at_intr,
  .bdr_alarm = at_alarm,
  .bdr_nr_minors = 1,
};

/* ---- registers -------------------------------------------------------------------------------- */

/* Reads the status register, which also acknowledges (clears) the device's interrupt. */
static int at_read_status(uint32_t *status)
{
  return sys_inb(PORT_ATA_CMD + ATA_STATUS_COMMAND, status);
}

/*
 * Polls the alternate status (which leaves the interrupt pending) until (status & mask) == value,
 * or an error ends the command (ERR without BSY). Gives up after timeout_ticks or AT_POLL_MAX
 * polls with -ETIMEDOUT. *status is the last value read.
 */
static int at_wait_for(uint32_t mask, uint32_t value, uint32_t *status)
{
  uint64_t start = 0, now;
  int clock_ok, i, r;

  clock_ok = sys_getuptime(&start) == OK;
  for (i = 0; i < AT_POLL_MAX; i++) {
    r = sys_inb(PORT_ATA_CTRL, status);
    if (r != OK) return r;
    if ((*status & mask) == value) return OK;
    if ((*status & (ATA_BSY | ATA_ERR)) == ATA_ERR) return OK;
    if (clock_ok && i % AT_POLL_CLOCK == AT_POLL_CLOCK - 1) {
      if (sys_getuptime(&now) == OK && now - start > w.timeout_ticks) break;
    }
  }
  return -ETIMEDOUT;
}

/* Reads the error register after a failed command and remembers both registers. Returns -EIO. */
static int at_device_error(uint32_t status)
{
  uint32_t error = 0;

  sys_inb(PORT_ATA_CMD + ATA_ERROR_FEATURES, &error);
  w.last_status = status;
  w.last_error = error;
  return -EIO;
}

/*
 * Soft reset of the channel: stop the bus master, pulse SRST (with interrupts off), wait for BSY
 * to clear, acknowledge any leftover interrupt and re-enable the IRQ line (in case an interrupt
 * was lost while the line was masked). Returns OK or -ETIMEDOUT if the device stays busy.
 */
static int at_reset(void)
{
  uint32_t status;
  int r;

  stats.resets++;
  sys_outb(PORT_ATA_BM + BM_COMMAND, 0);
  sys_outb(PORT_ATA_BM + BM_STATUS, BM_ST_ERROR | BM_ST_INTERRUPT);
  sys_outb(PORT_ATA_CTRL, ATA_SRST | ATA_NIEN);
  sys_inb(PORT_ATA_CTRL, &status);   /* hold SRST for the length of one more access */
  sys_outb(PORT_ATA_CTRL, 0);
  r = at_wait_for(ATA_BSY, 0, &status);
  if (r != OK) {
    printf("reset failed: status 0x%02x\n", status);
    return r;
  }
  r = at_read_status(&status);   /* clear a leftover interrupt */
  if (r != OK) return r;
  return sys_irqenable(&w.irq_hook);
}

/*
 * Selects the drive and issues `cmd` for `count` sectors (0 = 256) at `lba`: the task file and
 * the command go out in one SYS_VDEVIO. Fails with -ETIMEDOUT if the device stays busy.
 */
static int at_command(uint32_t cmd, uint32_t lba, uint32_t count)
{
  pvb_pair_t out[7];
  uint32_t status;
  int r;

  r = at_wait_for(ATA_BSY, 0, &status);
  if (r != OK) return r;
  r = sys_outb(PORT_ATA_CMD + ATA_DEVICE, ATA_DEV_LBA_MASTER | ((lba >> 24) & 0x0f));
  if (r != OK) return r;
  r = at_wait_for(ATA_BSY, 0, &status);
  if (r != OK) return r;
  out[0].port = PORT_ATA_CTRL;                      out[0].value = 0;   /* interrupts on */
  out[1].port = PORT_ATA_CMD + ATA_ERROR_FEATURES;  out[1].value = 0;
  out[2].port = PORT_ATA_CMD + ATA_COUNT;           out[2].value = count & 0xff;
  out[3].port = PORT_ATA_CMD + ATA_LBA_LOW;         out[3].value = lba & 0xff;
  out[4].port = PORT_ATA_CMD + ATA_LBA_MID;         out[4].value = (lba >> 8) & 0xff;
  out[5].port = PORT_ATA_CMD + ATA_LBA_HIGH;        out[5].value = (lba >> 16) & 0xff;
  out[6].port = PORT_ATA_CMD + ATA_STATUS_COMMAND;  out[6].value = cmd;
  return sys_vdevio(DIO_OUTPUT_BYTE, out, 7);
}

/* ---- interrupts ------------------------------------------------------------------------------- */

/* Acknowledges a device interrupt (status read) and re-enables the IRQ line. */
static int at_ack_intr(uint32_t *status)
{
  int r, s;

  r = at_read_status(status);
  s = sys_irqenable(&w.irq_hook);
  if (s != OK) printf("irqenable failed: %d\n", s);
  return r;
}

/* Handles a message that is not ours to take while waiting: heartbeat, queue, or refuse. */
static void at_defer(message *m)
{
  if (m->m_type == NOTIFY_MESSAGE) {
    if (m->m_source == RS_PROC_NR) blockdriver_heartbeat();
    return;
  }
  if (blockdriver_mq_queue(m) != OK) blockdriver_reply(m, -EBUSY);
}

/*
 * Waits for the device to finish the current step: receives until an interrupt leaves the device
 * not busy (*status = its status), or the alarm set for timeout_ticks goes off (-ETIMEDOUT). A
 * CLOCK notification before the deadline is a leftover of an earlier alarm and is ignored; so is
 * an interrupt after which the device is still busy (a leftover of an earlier command).
 */
static int at_intr_wait(uint32_t *status)
{
  message m;
  uint64_t deadline = 0, now;
  int r;

  if (sys_getuptime(&deadline) == OK) deadline += w.timeout_ticks;
  r = sys_setalarm(w.timeout_ticks, 0);
  if (r != OK) return r;
  for (;;) {
    r = ipc_receive(ANY, &m);
    if (r != OK) break;
    if (m.m_type == NOTIFY_MESSAGE && m.m_source == HARDWARE) {
      if (w.irq_hook < 0 || w.irq_hook > 31 || !(m.m_notify.interrupts & (1u << w.irq_hook))) continue;
      r = at_ack_intr(status);
      if (r != OK || !(*status & ATA_BSY)) break;
    } else if (m.m_type == NOTIFY_MESSAGE && m.m_source == CLOCK) {
      if (sys_getuptime(&now) == OK && now < deadline) continue;
      stats.timeouts++;
      r = -ETIMEDOUT;
      break;
    } else {
      at_defer(&m);
    }
  }
  sys_setalarm(0, 0);
  return r;
}

/* bdr_intr: an interrupt nobody waited for (a late one, after a timeout): acknowledge it. */
static void at_intr(uint32_t mask)
{
  uint32_t status;

  if (w.irq_hook < 0 || w.irq_hook > 31 || !(mask & (1u << w.irq_hook))) return;
  stats.spurious++;
  at_ack_intr(&status);
}

/* bdr_alarm: an alarm nobody waited for (it raced with the interrupt it guarded). */
static void at_alarm(void)
{
  stats.spurious++;
}

/* ---- PIO -------------------------------------------------------------------------------------- */

/* Reads n sectors from lba into at_buf: per sector, wait for the interrupt, then 256 words. */
static int at_pio_in(uint32_t lba, uint32_t n)
{
  uint32_t i, status;
  int r;

  r = at_command(CMD_READ_SECTORS, lba, n);
  if (r != OK) return r;
  for (i = 0; i < n; i++) {
    r = at_intr_wait(&status);
    if (r != OK) return r;
    if (status & (ATA_ERR | ATA_DF)) return at_device_error(status);
    if (!(status & ATA_DRQ)) return at_device_error(status);
    r = sys_insw(PORT_ATA_CMD + ATA_DATA, at_buf + i * SECTOR_SIZE, SECTOR_SIZE / 2);
    if (r != OK) return r;
  }
  return OK;
}

/*
 * Writes n sectors from at_buf to lba: the device asks for the first sector with DRQ alone, for
 * the others with DRQ and an interrupt, and interrupts once more when the last one is written.
 */
static int at_pio_out(uint32_t lba, uint32_t n)
{
  uint32_t i, status;
  int r;

  r = at_command(CMD_WRITE_SECTORS, lba, n);
  if (r != OK) return r;
  r = at_wait_for(ATA_BSY | ATA_DRQ, ATA_DRQ, &status);
  if (r != OK) return r;
  for (i = 0; i < n; i++) {
    if (status & (ATA_ERR | ATA_DF)) return at_device_error(status);
    if (!(status & ATA_DRQ)) return at_device_error(status);
    r = sys_outsw(PORT_ATA_CMD + ATA_DATA, at_buf + i * SECTOR_SIZE, SECTOR_SIZE / 2);
    if (r != OK) return r;
    r = at_intr_wait(&status);
    if (r != OK) return r;
  }
  if (status & (ATA_ERR | ATA_DF | ATA_DRQ)) return at_device_error(status);
  return OK;
}

/* ---- DMA -------------------------------------------------------------------------------------- */

/* Finds the physical addresses of at_buf's pages and of the PRD table (once, at init). */
static int at_dma_init(void)
{
  int i, r;

  for (i = 0; i < AT_BUF_PAGES; i++) {
    r = sys_umap(at_buf + i * AT_PAGE_SIZE, AT_PAGE_SIZE, &w.buf_phys[i]);
    if (r != OK) return r;
  }
  return sys_umap(prd_table, sizeof(prd_table), &w.prd_phys);
}

/*
 * Describes the first `bytes` of at_buf in the PRD table, one entry per run of physically
 * contiguous pages. Returns the number of entries.
 */
static int at_dma_prepare(uint32_t bytes)
{
  uint32_t page, chunk, *last = NULL;
  int n = 0;

  for (page = 0; bytes > 0; page++, bytes -= chunk) {
    chunk = bytes < AT_PAGE_SIZE ? bytes : AT_PAGE_SIZE;
    if (last != NULL && last[0] + (last[1] & 0xffff) == w.buf_phys[page] && (last[1] & 0xffff) + chunk < PRD_MAX_BYTES) {
      last[1] += chunk;
      continue;
    }
    last = &prd_table[2 * n++];
    last[0] = w.buf_phys[page];
    last[1] = chunk;
  }
  last[1] |= PRD_EOT;
  return n;
}

/*
 * Moves n sectors between at_buf and lba by bus-master DMA: program the engine (table, direction),
 * issue READ/WRITE DMA, start the engine, wait for the interrupt, stop the engine, then check the
 * engine's and the device's status.
 */
static int at_dma_io(int do_write, uint32_t lba, uint32_t n)
{
  uint32_t dir = do_write ? 0 : BM_CMD_TO_MEMORY;
  uint32_t status = 0, bm = 0;
  int r;

  at_dma_prepare(n * SECTOR_SIZE);
  sys_outb(PORT_ATA_BM + BM_COMMAND, 0);
  sys_outb(PORT_ATA_BM + BM_STATUS, BM_ST_ERROR | BM_ST_INTERRUPT);
  sys_outl(PORT_ATA_BM + BM_PRD, w.prd_phys);
  sys_outb(PORT_ATA_BM + BM_COMMAND, dir);
  r = at_command(do_write ? CMD_WRITE_DMA : CMD_READ_DMA, lba, n);
  if (r != OK) return r;
  sys_outb(PORT_ATA_BM + BM_COMMAND, dir | BM_CMD_START);
  r = at_intr_wait(&status);
  sys_inb(PORT_ATA_BM + BM_STATUS, &bm);
  sys_outb(PORT_ATA_BM + BM_COMMAND, 0);
  sys_outb(PORT_ATA_BM + BM_STATUS, BM_ST_ERROR | BM_ST_INTERRUPT);
  if (r != OK) return r;
  if (status & (ATA_ERR | ATA_DF | ATA_DRQ)) return at_device_error(status);
  if ((bm & (BM_ST_ERROR | BM_ST_INTERRUPT)) != BM_ST_INTERRUPT) {
    printf("bus master status 0x%02x\n", bm);
    return at_device_error(status);
  }
  return OK;
}

/* ---- transfers -------------------------------------------------------------------------------- */

static void at_log_stats(void)
{
  printf("%u reads (%u sectors), %u writes (%u sectors), %u errors, %u timeouts, %u retries, %u resets\n",
         stats.reads, stats.sectors_read, stats.writes, stats.sectors_written, stats.errors,
         stats.timeouts, stats.retries, stats.resets);
}

/* Moves n (1..AT_CHUNK_SECTORS) sectors between at_buf and lba, with resets and retries. */
static int at_transfer_chunk(int do_write, uint32_t lba, uint32_t n)
{
  int attempt, r;

  for (attempt = 0;; attempt++) {
    if (w.use_dma) r = at_dma_io(do_write, lba, n);
    else if (do_write) r = at_pio_out(lba, n);
    else r = at_pio_in(lba, n);
    if (r == OK) return OK;
    stats.errors++;
    if (r != -EIO) {   /* not a device error: note where the device is now */
      sys_inb(PORT_ATA_CTRL, &w.last_status);
      w.last_error = 0;
    }
    printf("%s of sectors %u-%u failed: %d (status 0x%02x, error 0x%02x)\n", do_write ? "write" : "read",
           lba, lba + n - 1, r, w.last_status, w.last_error);
    at_reset();
    if (attempt >= AT_MAX_RETRIES) break;
    stats.retries++;
  }
  at_log_stats();
  return -EIO;
}

/*
 * bdr_transfer: reads or writes `count` bytes at byte position `pos` through the caller's grant.
 * pos and count must be multiples of the sector size (-EINVAL); a start at or past the end of the
 * disk is -EIO; a range past the end is cut short. Returns the bytes moved or a negative error
 * (any failed chunk fails the request, as in MINIX).
 */
static ssize_t at_transfer(endpoint_t caller, int do_write, uint64_t pos, cp_grant_id_t grant, uint32_t count)
{
  uint32_t lba, nsect, done, chunk, offset;
  int r;

  if (((uint32_t)pos | count) & (SECTOR_SIZE - 1)) return -EINVAL;
  if (!w.present || (pos >> SECTOR_SHIFT) >= w.sectors) return -EIO;
  lba = (uint32_t)(pos >> SECTOR_SHIFT);
  nsect = count >> SECTOR_SHIFT;
  if (nsect > w.sectors - lba) nsect = w.sectors - lba;
  if (nsect > AT_MAX_REQUEST) nsect = AT_MAX_REQUEST;
  if (do_write) stats.writes++;
  else stats.reads++;
  for (done = 0; done < nsect; done += chunk) {
    chunk = nsect - done < AT_CHUNK_SECTORS ? nsect - done : AT_CHUNK_SECTORS;
    offset = done << SECTOR_SHIFT;
    if (do_write) {
      r = sys_safecopyfrom(caller, grant, offset, at_buf, chunk << SECTOR_SHIFT);
      if (r != OK) return r;
    }
    r = at_transfer_chunk(do_write, lba + done, chunk);
    if (r != OK) return r;
    if (!do_write) {
      r = sys_safecopyto(caller, grant, offset, at_buf, chunk << SECTOR_SHIFT);
      if (r != OK) return r;
      stats.sectors_read += chunk;
    } else {
      stats.sectors_written += chunk;
    }
  }
  return (ssize_t)(nsect << SECTOR_SHIFT);
}

/* ---- identification, open, close ---------------------------------------------------------------- */

/* Copies the IDENTIFY model string (byte-swapped words, space-padded) into w.model. */
static void at_model_string(const uint16_t *id)
{
  int i, len = 0;

  for (i = 0; i < ID_MODEL_LEN / 2; i++) {
    w.model[len++] = (char)(id[ID_MODEL + i] >> 8);
    w.model[len++] = (char)(id[ID_MODEL + i] & 0xff);
  }
  while (len > 0 && (w.model[len - 1] == ' ' || w.model[len - 1] == '\0')) len--;
  w.model[len] = '\0';
  for (i = 0; i < len; i++) {
    if (w.model[i] < ' ' || w.model[i] > '~') w.model[i] = '?';
  }
}

/* IDENTIFY DEVICE: capacity, model and DMA support into w. */
static int at_identify(void)
{
  const uint16_t *id = (const uint16_t *)at_buf;
  uint32_t status;
  int r;

  r = at_command(CMD_IDENTIFY, 0, 0);
  if (r != OK) return r;
  r = at_intr_wait(&status);
  if (r != OK) return r;
  if ((status & (ATA_ERR | ATA_DF)) || !(status & ATA_DRQ)) return at_device_error(status);
  r = sys_insw(PORT_ATA_CMD + ATA_DATA, at_buf, SECTOR_SIZE / 2);
  if (r != OK) return r;
  if (!(id[ID_CAPABILITIES] & ID_CAP_LBA)) {
    printf("the disk does not support LBA\n");
    return -ENXIO;
  }
  w.sectors = (uint32_t)id[ID_LBA_SECTORS] | ((uint32_t)id[ID_LBA_SECTORS + 1] << 16);
  if (w.sectors == 0 || w.sectors > ATA_MAX_SECTORS) return -ENXIO;
  at_model_string(id);
  w.use_dma = w.want_dma && (id[ID_CAPABILITIES] & ID_CAP_DMA) != 0;
  return OK;
}

/* Finds the disk: reset and IDENTIFY, a few times. Sets w.present. */
static int at_probe(void)
{
  int i, r = -ENXIO;

  for (i = 0; i < AT_IDENTIFY_TRIES; i++) {
    r = at_reset();
    if (r == OK) r = at_identify();
    if (r == OK) break;
    printf("identify failed: %d\n", r);
  }
  if (r != OK) return r;
  if (w.use_dma && at_dma_init() != OK) {
    printf("cannot map the DMA buffer; using PIO\n");
    w.use_dma = 0;
  }
  w.present = 1;
  printf("%s, %u sectors (%u MiB), %s\n", w.model, w.sectors, w.sectors >> 11,
         w.use_dma ? "DMA" : "PIO");
  return OK;
}

/* bdr_open: the disk must be there (probed again if init did not find it). */
static int at_open(uint32_t minor, uint32_t access)
{
  (void)minor;
  (void)access;
  if (!w.present && at_probe() != OK) return -ENXIO;
  w.open_count++;
  return OK;
}

static int at_close(uint32_t minor)
{
  (void)minor;
  if (w.open_count == 0) return -EINVAL;
  if (--w.open_count == 0) at_log_stats();
  return OK;
}

/* ---- init ------------------------------------------------------------------------------------- */

/* Who we are, what the boot parameters ask for, and how long a timeout is. */
static void at_configure(void)
{
  char params[AT_PARAMS_LEN];
  uint32_t dma = 0;
  int hz;

  if (sys_whoami(NULL, w.label, sizeof(w.label)) != OK || w.label[0] == '\0')
    strlcpy(w.label, "at_wini", sizeof(w.label));
  if (sys_getparams(params, sizeof(params)) == OK && env_get_u32(params, "dma", &dma) == OK)
    w.want_dma = dma != 0;
  hz = sys_hz();
  if (hz <= 0) {
    printf("cannot get HZ (%d); assuming %d\n", hz, AT_DEFAULT_HZ);
    hz = AT_DEFAULT_HZ;
  }
  w.timeout_ticks = (uint32_t)hz / 2 > 0 ? (uint32_t)hz / 2 : 1;
}

/* Sets up the driver. Failing to get our IRQ is fatal; a missing disk is not (open retries). */
static void at_init(void)
{
  int r;

  at_configure();
  r = cpf_init();
  if (r != OK) printf("cannot register the grant table: %d\n", r);
  w.irq_hook = IRQ_ATA;
  r = sys_irqsetpolicy(IRQ_ATA, 0, &w.irq_hook);
  if (r != OK) panic("cannot set the IRQ %d policy: %d", IRQ_ATA, r);
  r = sys_irqenable(&w.irq_hook);
  if (r != OK) panic("cannot enable IRQ %d: %d", IRQ_ATA, r);
  if (at_probe() != OK) printf("no disk found\n");
}

int main(void)
{
  at_init();
  blockdriver_announce(w.label);
  blockdriver_task(&at_dtab);
}
