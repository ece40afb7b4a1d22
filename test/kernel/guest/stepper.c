/*
 * stepper: a guest test program that runs a script of IPC operations and kernel calls taken from
 * its boot parameters, and prints one console line per step for the tests in test/kernel/ to check.
 *
 *   params   steps=<step>/<step>/...      a step is op[:arg[:arg...]]
 *   numbers  decimal, -decimal or 0x-hex; as endpoints also any, none, self, clock, system,
 *            hardware (the harness replaces @label with the label's endpoint before boot)
 *   output   "#<i> <op> r=<status> [key=value ...]" per step, "done" after the last one; then
 *            the program receives forever and prints "late ..." for every message that arrives.
 *
 * Steps (E endpoint, V value, T ticks, P port, G grant id):
 *   sleep:T         alarm in T ticks, then receive from CLOCK only
 *   send:E:V sendnb:E:V sendrec:E:V    message of type TEST_TYPE with m_u32[0] = V
 *   notify:E        recv:E          reply:V (send TEST_TYPE + 1 to the last message's source)
 *   sendt:E:TYPE:W0:...:W5   send a message of type TYPE with m_u32[0..] = W0.. (message offsets
 *                   8, 12, ...; up to six words, the rest 0): a protocol message (a driver's reply)
 *   badsend:E badrecv:E             the same with a message pointer that is not mapped
 *   inb:P outb:P:V  alarm:T  uptime  whoami  irq:LINE:POLICY  irqen:HOOK  irqrm:HOOK
 *   grant:E:ACCESS:OFF:LEN   (ACCESS r, w or rw; on buf + OFF)     dump:OFF:LEN
 *   copyfrom:E:G:OFF:LEN     (into a scratch buffer, printed)      copyto:E:G:OFF:LEN (0xa0, 0xa1, ...)
 *   poke:ADDR:V     32-bit store of V to ADDR        illegal   an all-zero (illegal) instruction
 *   satp:ADDR:V     poke through a page table of its own making: a supervisor-mode program (a
 *                   driver in the kernel) copies its root, makes the direct map's superpages
 *                   writable, loads it into satp, then stores (defeats a read-only kernel mapping)
 *   exit:STATUS     spin  (an infinite loop that never enters the kernel)
 */
#include "libsys.h"

#define PARAMS_LEN 600
#define MAX_ARGS 8
#define ARG_LEN 24
#define TEST_TYPE 0x77          /* m_type of the messages steps send; reply sends TEST_TYPE + 1 */
#define BUF_LEN 256
#define SCRATCH_LEN 32
#define BAD_MESSAGE ((message *)0x00001000)   /* below the image: never mapped */

static char params[PARAMS_LEN];
static char steps[PARAMS_LEN];
static endpoint_t self;
static message last;                   /* the last message received by recv */
static uint8_t buf[BUF_LEN];           /* what grant and dump refer to */
static uint8_t scratch[SCRATCH_LEN];   /* what copyfrom fills and copyto sends */

static void own_page_table(void);

/* One parsed step: its name and up to MAX_ARGS arguments as text. */
struct step {
  char op[ARG_LEN];
  char arg[MAX_ARGS][ARG_LEN];
  int nargs;
};

/* The number or endpoint name in s (digits are read up to the first character that is not one). */
static int32_t number(const char *s)
{
  static const struct { const char *name; int32_t value; } names[] = {
    { "any", ANY }, { "none", NONE }, { "clock", CLOCK }, { "system", SYSTEM }, { "hardware", HARDWARE },
  };
  uint32_t v = 0, base = 10;
  int neg = 0;
  unsigned i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(s, names[i].name) == 0) return names[i].value;
  if (strcmp(s, "self") == 0) return self;
  if (*s == '-') {
    neg = 1;
    s++;
  }
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  for (; *s != '\0'; s++) {
    uint32_t d;
    if (*s >= '0' && *s <= '9') d = (uint32_t)(*s - '0');
    else if (base == 16 && *s >= 'a' && *s <= 'f') d = (uint32_t)(*s - 'a' + 10);
    else break;
    v = v * base + d;
  }
  return neg ? -(int32_t)v : (int32_t)v;
}

/* Splits the step text at *p (up to '/' or the end) into st; advances *p past it. */
static void parse_step(const char **p, struct step *st)
{
  char *field = st->op;
  int len = 0;

  memset(st, 0, sizeof(*st));
  for (; **p != '\0' && **p != '/'; (*p)++) {
    if (**p == ':') {
      if (st->nargs == MAX_ARGS) break;
      field = st->arg[st->nargs++];
      len = 0;
    } else if (len < ARG_LEN - 1) {
      field[len++] = **p;
    }
  }
  if (**p == '/') (*p)++;
}

static int32_t arg(const struct step *st, int i)
{
  return i < st->nargs ? number(st->arg[i]) : 0;
}

/* Whether text contains c. */
static int has_char(const char *text, char c)
{
  for (; *text != '\0'; text++)
    if (*text == c) return 1;
  return 0;
}

/* Prints bytes as hex into "data=..." after `prefix`. */
static void print_data(const char *prefix, const uint8_t *data, uint32_t n)
{
  char hex[2 * SCRATCH_LEN + 1];
  static const char digits[] = "0123456789abcdef";
  uint32_t i;

  if (n > SCRATCH_LEN) n = SCRATCH_LEN;
  for (i = 0; i < n; i++) {
    hex[2 * i] = digits[data[i] >> 4];
    hex[2 * i + 1] = digits[data[i] & 15];
  }
  hex[2 * n] = '\0';
  printf("%s data=%s\n", prefix, hex);
}

/* Prints the message just received (by recv or after a sendrec). */
static void print_message(const char *prefix, int r, const message *m)
{
  if (r != OK) printf("%s r=%d\n", prefix, r);
  else if (m->m_type == NOTIFY_MESSAGE)
    printf("%s r=0 src=%d type=%d t=%u i=%u\n", prefix, m->m_source, m->m_type, m->m_notify.timestamp_lo, m->m_notify.interrupts);
  else printf("%s r=0 src=%d type=%d v=%u\n", prefix, m->m_source, m->m_type, m->m_u32[0]);
}

static int send_op(int op, endpoint_t to, int type, uint32_t v, message *m)
{
  memset(m, 0, sizeof(*m));
  m->m_type = type;
  m->m_u32[0] = v;
  switch (op) {
  case IPC_SENDNB: return ipc_sendnb(to, m);
  case IPC_SENDREC: return ipc_sendrec(to, m);
  default: return ipc_send(to, m);
  }
}

static int sleep_ticks(uint32_t ticks)
{
  message m;
  int r = sys_setalarm(ticks, 0);

  return r == OK ? ipc_receive(CLOCK, &m) : r;
}

/* IPC steps; returns 1 if st was one. */
static int ipc_step(const char *pre, const struct step *st)
{
  message m;
  int r;

  if (strcmp(st->op, "send") == 0) printf("%s r=%d\n", pre, send_op(IPC_SEND, arg(st, 0), TEST_TYPE, (uint32_t)arg(st, 1), &m));
  else if (strcmp(st->op, "sendnb") == 0) printf("%s r=%d\n", pre, send_op(IPC_SENDNB, arg(st, 0), TEST_TYPE, (uint32_t)arg(st, 1), &m));
  else if (strcmp(st->op, "sendrec") == 0) print_message(pre, send_op(IPC_SENDREC, arg(st, 0), TEST_TYPE, (uint32_t)arg(st, 1), &m), &m);
  else if (strcmp(st->op, "sendt") == 0) {
    memset(&m, 0, sizeof(m));
    m.m_type = arg(st, 1);
    for (r = 2; r < st->nargs; r++) m.m_u32[r - 2] = (uint32_t)arg(st, r);
    printf("%s r=%d\n", pre, ipc_send(arg(st, 0), &m));
  } else if (strcmp(st->op, "notify") == 0) printf("%s r=%d\n", pre, ipc_notify(arg(st, 0)));
  else if (strcmp(st->op, "recv") == 0) {
    r = ipc_receive(arg(st, 0), &last);
    print_message(pre, r, &last);
  } else if (strcmp(st->op, "reply") == 0) printf("%s r=%d\n", pre, send_op(IPC_SEND, last.m_source, TEST_TYPE + 1, (uint32_t)arg(st, 0), &m));
  else if (strcmp(st->op, "badsend") == 0) printf("%s r=%d\n", pre, ipc_send(arg(st, 0), BAD_MESSAGE));
  else if (strcmp(st->op, "badrecv") == 0) printf("%s r=%d\n", pre, ipc_receive(arg(st, 0), BAD_MESSAGE));
  else if (strcmp(st->op, "sleep") == 0) printf("%s r=%d\n", pre, sleep_ticks((uint32_t)arg(st, 0)));
  else return 0;
  return 1;
}

/* Kernel-call steps; returns 1 if st was one. */
static int call_step(const char *pre, const struct step *st)
{
  uint32_t v = 0;
  uint64_t t = 0;
  char label[16];
  endpoint_t ep = NONE;
  int r, hook, access;

  if (strcmp(st->op, "inb") == 0) {
    r = sys_inb((uint32_t)arg(st, 0), &v);
    printf("%s r=%d v=0x%x\n", pre, r, v);
  } else if (strcmp(st->op, "outb") == 0) printf("%s r=%d\n", pre, sys_outb((uint32_t)arg(st, 0), (uint32_t)arg(st, 1)));
  else if (strcmp(st->op, "alarm") == 0) printf("%s r=%d\n", pre, sys_setalarm((uint32_t)arg(st, 0), 0));
  else if (strcmp(st->op, "uptime") == 0) {
    r = sys_getuptime(&t);
    printf("%s r=%d t=%u\n", pre, r, (uint32_t)t);
  } else if (strcmp(st->op, "whoami") == 0) {
    memset(label, 0, sizeof(label));
    r = sys_whoami(&ep, label, sizeof(label));
    printf("%s r=%d ep=%d label=%s\n", pre, r, ep, label);
  } else if (strcmp(st->op, "irq") == 0) {
    hook = 0;
    r = sys_irqsetpolicy(arg(st, 0), arg(st, 1), &hook);
    printf("%s r=%d hook=%d\n", pre, r, hook);
  } else if (strcmp(st->op, "irqen") == 0) {
    hook = arg(st, 0);
    printf("%s r=%d\n", pre, sys_irqenable(&hook));
  } else if (strcmp(st->op, "irqrm") == 0) {
    hook = arg(st, 0);
    printf("%s r=%d\n", pre, sys_irqrmpolicy(&hook));
  } else if (strcmp(st->op, "grant") == 0) {
    access = (has_char(st->arg[1], 'r') ? CPF_READ : 0) | (has_char(st->arg[1], 'w') ? CPF_WRITE : 0);
    printf("%s id=%d\n", pre, cpf_grant_direct(arg(st, 0), buf + arg(st, 2), (uint32_t)arg(st, 3), access));
  } else return 0;
  return 1;
}

/* Grant copies, memory and fault steps; returns 1 if st was one. */
static int memory_step(const char *pre, const struct step *st)
{
  uint32_t off = (uint32_t)arg(st, 2), n = (uint32_t)arg(st, 3), i;
  int r;

  if (strcmp(st->op, "copyfrom") == 0) {
    memset(scratch, 0, sizeof(scratch));
    r = sys_safecopyfrom(arg(st, 0), arg(st, 1), off, scratch, n > SCRATCH_LEN ? SCRATCH_LEN : n);
    if (r != OK) printf("%s r=%d\n", pre, r);
    else print_data(pre, scratch, n);
  } else if (strcmp(st->op, "copyto") == 0) {
    for (i = 0; i < SCRATCH_LEN; i++) scratch[i] = (uint8_t)(0xa0 + i);
    printf("%s r=%d\n", pre, sys_safecopyto(arg(st, 0), arg(st, 1), off, scratch, n > SCRATCH_LEN ? SCRATCH_LEN : n));
  } else if (strcmp(st->op, "dump") == 0) {
    off = (uint32_t)arg(st, 0);
    n = (uint32_t)arg(st, 1);
    if (off > BUF_LEN - SCRATCH_LEN) off = BUF_LEN - SCRATCH_LEN;
    print_data(pre, buf + off, n);
  } else if (strcmp(st->op, "poke") == 0) {
    *(volatile uint32_t *)(uintptr_t)(uint32_t)arg(st, 0) = (uint32_t)arg(st, 1);
    printf("%s r=0\n", pre);
  } else if (strcmp(st->op, "satp") == 0) {
    own_page_table();
    *(volatile uint32_t *)(uintptr_t)(uint32_t)arg(st, 0) = (uint32_t)arg(st, 1);
    printf("%s r=0\n", pre);
  } else if (strcmp(st->op, "illegal") == 0) {
    printf("%s\n", pre);
    __asm__ volatile(".word 0");
    printf("%s survived\n", pre);
  } else if (strcmp(st->op, "exit") == 0) {
    printf("%s\n", pre);
    sys_exit(arg(st, 0));
  } else if (strcmp(st->op, "spin") == 0) {
    printf("%s\n", pre);
    for (;;) __asm__ volatile("");
  } else return 0;
  return 1;
}

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_D 0x80
#define PTE_FRAME(e) (((e) >> 10) << 12)

/*
 * Loads satp with a copy of the current root in which every superpage (the kernel's direct map of
 * RAM, where virtual = physical) is writable. Page tables are read through that same map; the
 * copy lies in a page of the stack, whose physical address the walk below finds. A privileged
 * instruction in supervisor mode: it traps in user mode (an illegal instruction).
 */
static void own_page_table(void)
{
  uint32_t area[2048];                  /* a page-aligned page lies inside */
  uint32_t *copy = (uint32_t *)(((uintptr_t)area + 4095) & ~(uintptr_t)4095);
  uint32_t satp, *root, *l0, i, va = (uint32_t)(uintptr_t)copy, pa;

  __asm__ volatile("csrr %0, satp" : "=r"(satp));
  root = (uint32_t *)(uintptr_t)((satp & 0x3fffff) << 12);
  for (i = 0; i < 1024; i++) copy[i] = (root[i] & (PTE_R | PTE_X)) ? root[i] | PTE_W | PTE_D : root[i];
  l0 = (uint32_t *)(uintptr_t)PTE_FRAME(root[va >> 22]);
  pa = PTE_FRAME(l0[(va >> 12) & 0x3ff]);
  __asm__ volatile("csrw satp, %0\n\tsfence.vma" : : "r"((1u << 31) | (pa >> 12)) : "memory");
}

int main(void)
{
  struct step st;
  char pre[40];
  const char *p = steps;
  int i, r;

  for (i = 0; i < BUF_LEN; i++) buf[i] = (uint8_t)(i * 7 + 1);
  r = sys_whoami(&self, NULL, 0);
  if (r != OK) printf("whoami failed: %d\n", r);
  r = sys_getparams(params, sizeof(params));
  if (r != OK) printf("getparams failed: %d\n", r);
  if (env_get(params, "steps", steps, sizeof(steps)) != OK) steps[0] = '\0';
  for (i = 0; *p != '\0'; i++) {
    parse_step(&p, &st);
    snprintf(pre, sizeof(pre), "#%d %s", i, st.op);
    if (!ipc_step(pre, &st) && !call_step(pre, &st) && !memory_step(pre, &st)) printf("%s unknown step\n", pre);
  }
  printf("done\n");
  for (;;) print_message("late", ipc_receive(ANY, &last), &last);
}
