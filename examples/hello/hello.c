/*
 * hello: the sample bare-metal guest for bulkhead's machine.
 *
 * Freestanding C (no libc). Prints a greeting and a small table of primes with a checksum to the
 * console UART (a 16550 at I/O port 0x3F8, reached in M-mode through the port window at physical
 * 0x0300_0000 + port), then exits through HTIF by writing 1 to `tohost` (pass).
 *
 * Build: npm run build:examples   (clang 14 + lld; see examples/hello/link.ld and start.S)
 * Run:   node dist/bin/bulkhead.js exec examples/hello/hello.elf
 */
#include <stdint.h>

#define PORT_WINDOW 0x03000000u
#define UART_THR    0x3F8u          /* transmit holding register */
#define UART_LSR    0x3FDu          /* line status register */
#define LSR_THRE    0x20u           /* bit 5: transmitter holding register empty */

/* HTIF: the host watches this word; (code << 1) | 1 ends the run with exit code `code`. */
volatile uint32_t tohost __attribute__((section(".tohost"), aligned(8)));
volatile uint32_t fromhost __attribute__((section(".tohost"), aligned(8)));

static volatile uint8_t *port(uint32_t p) { return (volatile uint8_t *)(PORT_WINDOW + p); }

static void putc_uart(char c) {
  while ((*port(UART_LSR) & LSR_THRE) == 0) {
  }
  *port(UART_THR) = (uint8_t)c;
}

static void puts_uart(const char *s) {
  while (*s) putc_uart(*s++);
}

/* Prints v in decimal, right-aligned in `width` columns. */
static void put_dec(uint32_t v, int width) {
  char buf[11];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (width-- > n) putc_uart(' ');
  while (n) putc_uart(buf[--n]);
}

static void put_hex(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  puts_uart("0x");
  for (int i = 28; i >= 0; i -= 4) putc_uart(digits[(v >> i) & 0xf]);
}

static int is_prime(uint32_t n) {
  if (n < 2) return 0;
  for (uint32_t d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

#define NPRIMES 20
#define PER_ROW 5

int main(void) {
  puts_uart("Hello from a bare-metal RV32IM guest on bulkhead!\n");
  puts_uart("The first 20 primes:\n");
  uint32_t checksum = 0, found = 0;
  for (uint32_t n = 2; found < NPRIMES; n++) {
    if (!is_prime(n)) continue;
    put_dec(n, 5);
    checksum = checksum * 31u + n;
    if (++found % PER_ROW == 0) putc_uart('\n');
  }
  puts_uart("checksum: ");
  put_hex(checksum);
  putc_uart('\n');
  puts_uart("Goodbye.\n");
  return 0;
}
