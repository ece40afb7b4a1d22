/*
 * Printer driver for the PC parallel port (LPT1), after MINIX 3's printer driver: one write at a
 * time, copied from the client in chunks of 128 bytes and sent a character at a time with the
 * Centronics handshake: when the status says ready (BUSY, PE and SELECT bits = 0x90) the byte goes
 * on the data lines and STROBE is pulsed (one SYS_VDEVIO: DATA, CONTROL 0x1D, CONTROL 0x1C); when
 * it says busy (0x10) the driver waits for the printer's acknowledge interrupt (IRQ 7); any other
 * status ends the write (offline: EIO; out of paper: EAGAIN, or the count printed so far).
 *
 * Differences from MINIX, each for a reason: the base port is LPT1's standard 0x378 (MINIX reads
 * the BIOS data area, which this machine has no BIOS to fill); the first open holds INIT low for
 * 64 status reads (each a 1-us port access, more than the 50 us a printer needs; MINIX sleeps
 * 50 ms); and a write waiting for the printer times out (parameter timeout=<ticks>, default 100,
 * i.e. 1 s) with the count printed so far, or EIO if none, where MINIX would wait for ever; and a
 * write that finds the printer busy sets the port's IRQ enable bit before it waits (pr_output).
 */
#include "../lib/chardriver.h"

#define LPT_BASE      0x378
#define LPT_DATA      (LPT_BASE + 0)
#define LPT_STATUS    (LPT_BASE + 1)
#define LPT_CONTROL   (LPT_BASE + 2)
#define LPT_IRQ       7

/* Status bits and the combinations the driver looks at (MINIX printer.c). */
#define ST_NOT_BUSY   0x80
#define ST_NO_PAPER   0x20
#define ST_ON_LINE    0x10
#define ST_MASK       (ST_NOT_BUSY | ST_NO_PAPER | ST_ON_LINE)
#define ST_READY      (ST_NOT_BUSY | ST_ON_LINE)   /* 0x90 */
#define ST_BUSY       ST_ON_LINE                   /* 0x10 */

/* Control values (MINIX printer.c). */
#define CTL_INIT      0x08   /* select, INIT asserted (nINIT low) */
#define CTL_SELECT    0x0c   /* select, INIT released, IRQ off */
#define CTL_IDLE_IRQ  0x1c   /* select, INIT released, IRQ on */
#define CTL_STROBE    0x1d   /* the same with STROBE */

#define CHUNK         128
#define INIT_READS    64

/* Driver state: set by pr_init, changed by requests and interrupts where noted. */
static struct {
  int irq_hook;                 /* the kernel's hook id for IRQ 7 */
  int initialised;              /* the printer has been reset (first open) */
  int writing;                  /* a write is in progress (req, done, chunk valid) */
  struct chardriver_req req;    /* the write in progress */
  uint32_t done;                /* bytes of it printed */
  uint8_t chunk[CHUNK];         /* bytes copied in, not all printed */
  uint32_t chunk_len, chunk_at; /* valid bytes in chunk, next to print */
  uint32_t timeout;             /* ticks a write may wait for the printer (parameter) */
  uint32_t waited;              /* ticks the current write has waited */
} pr;

/* The printer's status byte, or 0 (offline) when the port cannot be read. */
static uint32_t pr_status(void)
{
  uint32_t v = 0;

  if (sys_inb(LPT_STATUS, &v) != OK) return 0;
  return v;
}

/* Ends the write in progress with `status` and turns the interrupt off. */
static void pr_finish(int status)
{
  pr.writing = 0;
  sys_outb(LPT_CONTROL, CTL_SELECT);
  sys_setalarm(0, 0);
  chardriver_reply(&pr.req, status);
}

/*
 * Prints what it can of the write in progress. Returns CHARDRIVER_SUSPEND while the printer is
 * busy (an interrupt or the timeout continues it), else the write's result.
 */
static int pr_output(void)
{
  pvb_pair_t out[3];
  uint32_t st;
  int r;

  for (;;) {
    if (pr.chunk_at == pr.chunk_len) {
      uint32_t left = pr.req.size - pr.done;
      if (left == 0) return (int)pr.done;
      pr.chunk_len = left < CHUNK ? left : CHUNK;
      pr.chunk_at = 0;
      r = chardriver_copyin(&pr.req, pr.done, pr.chunk, pr.chunk_len);
      if (r != OK) {
        pr.chunk_len = 0;
        return pr.done > 0 ? (int)pr.done : r;
      }
    }
    st = pr_status() & ST_MASK;
    if (st == ST_READY) {
      out[0].port = LPT_DATA;
      out[0].value = pr.chunk[pr.chunk_at];
      out[1].port = LPT_CONTROL;
      out[1].value = CTL_STROBE;
      out[2].port = LPT_CONTROL;
      out[2].value = CTL_IDLE_IRQ;
      r = sys_vdevio(DIO_OUTPUT_BYTE, out, 3);
      if (r != OK) return pr.done > 0 ? (int)pr.done : r;
      pr.chunk_at++;
      pr.done++;
      pr.waited = 0;
      continue;
    }
    if (st == ST_BUSY) {
      /*
       * The port interrupts only with its IRQ enable bit set, and a write that finds the printer
       * still busy with the last one's byte starts with it clear (0x0C since the last write
       * ended): MINIX's driver re-enables only the kernel's IRQ line here and would wait for an
       * interrupt that never comes. Set the bit, and look again in case the acknowledge came
       * before it.
       */
      sys_outb(LPT_CONTROL, CTL_IDLE_IRQ);
      if ((pr_status() & ST_MASK) == ST_READY) continue;
      sys_irqenable(&pr.irq_hook);
      return CHARDRIVER_SUSPEND;
    }
    if ((st & ST_ON_LINE) == 0) printf("printer is offline\n");
    else if (st & ST_NO_PAPER) printf("printer is out of paper\n");
    else printf("printer error, status 0x%x\n", (unsigned)st);
    if ((st & ST_NO_PAPER) && (st & ST_ON_LINE)) return pr.done > 0 ? (int)pr.done : -EAGAIN;
    return pr.done > 0 ? (int)pr.done : -EIO;
  }
}

static int pr_init(uint32_t *tick_ticks)
{
  char params[64];
  int r;

  memset(&pr, 0, sizeof(pr));
  pr.timeout = 100;
  if (sys_getparams(params, sizeof(params)) == OK) env_get_u32(params, "timeout", &pr.timeout);
  pr.irq_hook = LPT_IRQ;
  r = sys_irqsetpolicy(LPT_IRQ, 0, &pr.irq_hook);
  if (r != OK) return r;
  *tick_ticks = 0;
  return OK;
}

/* The first open resets the printer: INIT held low, then released with the printer selected. */
static int pr_open(uint32_t minor, uint32_t access)
{
  int i;

  (void)access;
  if (minor != 0) return -ENXIO;
  if (!pr.initialised) {
    sys_outb(LPT_CONTROL, CTL_INIT);
    for (i = 0; i < INIT_READS; i++) pr_status();
    sys_outb(LPT_CONTROL, CTL_SELECT);
    pr.initialised = 1;
  }
  return OK;
}

static int pr_close(uint32_t minor)
{
  (void)minor;
  return OK;
}

static ssize_t pr_write(const struct chardriver_req *req)
{
  int r;

  if (pr.writing) return -EIO;
  if (req->size == 0) return -EINVAL;
  pr.req = *req;
  pr.done = 0;
  pr.chunk_len = pr.chunk_at = 0;
  pr.waited = 0;
  pr.writing = 1;
  r = pr_output();
  if (r == CHARDRIVER_SUSPEND) {
    sys_setalarm(1, 0);   /* count the ticks the printer keeps us waiting */
    return r;
  }
  pr.writing = 0;
  sys_outb(LPT_CONTROL, CTL_SELECT);
  return r;
}

/* The printer acknowledged a character: go on printing. */
static void pr_intr(uint32_t mask)
{
  int r;

  if (pr.irq_hook < 0 || pr.irq_hook > 31 || !(mask & (1u << pr.irq_hook))) return;
  pr_status();   /* reading the status takes the interrupt back */
  if (!pr.writing) return;
  r = pr_output();
  if (r != CHARDRIVER_SUSPEND) pr_finish(r);
}

/* A tick while a write waits: give up after `timeout` ticks without progress. */
static void pr_tick(void)
{
  if (!pr.writing) return;
  if (++pr.waited < pr.timeout) {
    sys_setalarm(1, 0);
    return;
  }
  printf("printer timed out\n");
  pr_finish(pr.done > 0 ? (int)pr.done : -EIO);
}

static const struct chardriver printer_tab = {
  .cdr_init = pr_init,
  .cdr_open = pr_open,
  .cdr_close = pr_close,
  .cdr_read = NULL,
  .cdr_write = pr_write,
  .cdr_ioctl = NULL,
  .cdr_intr = pr_intr,
  .cdr_tick = pr_tick,
};

int main(void)
{
  chardriver_task(&printer_tab);
}
