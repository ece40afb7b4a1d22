/*
 * CPU benchmark workloads. BENCH_COMPUTE: an arithmetic loop in M-mode (no translation).
 * BENCH_DRIVER: a driver-like loop (a ring of request descriptors, loads, stores, branches and
 * calls) run in U-mode with Sv32 paging on, entered with mret and left with ecall.
 */
#include <stdint.h>

#define ITERS 2000000u

static uint32_t compute(uint32_t n) {
  uint32_t a = 1, b = 2, s = 0;
  for (uint32_t i = 0; i < n; i++) {
    a = a * 1664525u + 1013904223u;
    b ^= a >> 7;
    s += (a & 0xff) + (b << 1);
  }
  return s;
}

struct req { uint32_t lba, count, status, cksum; uint8_t buf[48]; };
static struct req ring[64];

__attribute__((noinline)) static uint32_t handle(struct req *r) {
  uint32_t c = r->lba;
  for (uint32_t i = 0; i < 8; i++) {
    r->buf[i] = (uint8_t)(c + i);
    c += r->buf[i];
  }
  if (r->count > 4) r->status = 1; else r->status = 2;
  return c;
}

__attribute__((noinline, section(".text.user"))) void user_main(void) {
  uint32_t ck = 0;
  for (uint32_t i = 0; i < ITERS / 4; i++) {
    struct req *r = &ring[i & 63];
    r->lba = i;
    r->count = i & 7;
    ck += handle(r);
    r->cksum = ck;
  }
  asm volatile("mv a0, %0; ecall" :: "r"(ck));
  for (;;) {}
}

extern char __pt_area[];

/* Identity-map all 16 MiB of RAM with 4 KiB user pages (A and D set: this machine faults on A/D=0). */
static void enter_user(void) {
  uint32_t *root = (uint32_t *)__pt_area;
  uint32_t *l0 = root + 1024;
  for (int i = 0; i < 1024; i++) root[i] = 0;
  for (uint32_t t = 0; t < 4; t++) {
    uint32_t *tab = l0 + t * 1024;
    for (uint32_t j = 0; j < 1024; j++) {
      uint32_t pa = 0x80000000u + (t << 22) + (j << 12);
      tab[j] = ((pa >> 12) << 10) | 0xdf; /* V R W X U A D */
    }
    root[(0x80000000u >> 22) + t] = (((uint32_t)tab >> 12) << 10) | 1;
  }
  asm volatile("csrw satp, %0; sfence.vma" :: "r"((1u << 31) | ((uint32_t)root >> 12)));
  asm volatile("csrw mepc, %0" :: "r"(user_main));
  asm volatile("li t0, 0x1800; csrc mstatus, t0; mret" ::: "t0"); /* MPP = U */
}

int main(void) {
#ifdef BENCH_COMPUTE
  volatile uint32_t sink = compute(ITERS);
  (void)sink;
  return 0;
#else
  enter_user();
  return 1;
#endif
}
