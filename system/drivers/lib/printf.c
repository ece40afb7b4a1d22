/*
 * Console output: a small vsnprintf (%d %i %u %x %X %p %s %c %%, with '-' and '0' flags and a
 * field width; 'l' and 'h' are accepted and ignored since int is 32 bits; no floats), printf that
 * formats into a stack buffer and hands it to the kernel (SYS_DIAGCTL), and panic.
 */
#include "libsys.h"

#define PRINTF_BUF 160   /* longest line printf writes in one go; longer output is truncated */

/* Output cursor: writes up to size - 1 characters and counts all of them. */
struct out {
  char *buf;
  size_t size;
  size_t len;
};

static void put(struct out *o, char c)
{
  if (o->len + 1 < o->size) o->buf[o->len] = c;
  o->len++;
}

/* Writes text (n characters) padded to `width`: on the left with `pad` unless left-justified. */
static void put_field(struct out *o, const char *text, int n, int width, int left, char pad)
{
  int i;

  if (pad == '0' && n > 0 && text[0] == '-' && !left) {   /* sign before the zeros */
    put(o, '-');
    text++;
    n--;
    width--;
  }
  for (i = n; !left && i < width; i++) put(o, pad);
  for (i = 0; i < n; i++) put(o, text[i]);
  for (i = n; left && i < width; i++) put(o, ' ');
}

/* Formats v in `base` into the end of digits[12]; returns the first character's index. */
static int format_unsigned(char digits[12], uint32_t v, uint32_t base, int upper)
{
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int i = 11;

  digits[i] = '\0';
  do {
    digits[--i] = set[v % base];
    v /= base;
  } while (v != 0);
  return i;
}

/* Formats one integer conversion (c = d, i, u, x, X, p) of v. */
static void put_number(struct out *o, char c, uint32_t v, int width, int left, char pad)
{
  char digits[12];
  int first;

  if ((c == 'd' || c == 'i') && (int32_t)v < 0) {
    first = format_unsigned(digits, (uint32_t)(-(int64_t)(int32_t)v), 10, 0);
    digits[--first] = '-';
  } else if (c == 'x' || c == 'X' || c == 'p') {
    first = format_unsigned(digits, v, 16, c == 'X');
  } else {
    first = format_unsigned(digits, v, 10, 0);
  }
  if (c == 'p') {
    put(o, '0');
    put(o, 'x');
  }
  put_field(o, &digits[first], 11 - first, width, left, pad);
}

/*
 * Formats fmt with ap into buf (at most size - 1 characters plus a NUL when size > 0).
 * Returns the length the whole output would have had.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
  struct out o = { buf, size, 0 };
  const char *s;

  for (; *fmt != '\0'; fmt++) {
    int width = 0, left = 0;
    char pad = ' ';
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    fmt++;
    for (; *fmt == '-' || *fmt == '0'; fmt++) {
      if (*fmt == '-') left = 1;
      else pad = '0';
    }
    for (; *fmt >= '0' && *fmt <= '9'; fmt++) width = width * 10 + (*fmt - '0');
    while (*fmt == 'l' || *fmt == 'h') fmt++;
    switch (*fmt) {
    case 'd': case 'i': case 'u': case 'x': case 'X':
      put_number(&o, *fmt, va_arg(ap, uint32_t), width, left, pad);
      break;
    case 'p':
      put_number(&o, 'p', (uint32_t)(uintptr_t)va_arg(ap, void *), 8, 0, '0');
      break;
    case 's':
      s = va_arg(ap, const char *);
      if (s == NULL) s = "(null)";
      put_field(&o, s, (int)strlen(s), width, left, ' ');
      break;
    case 'c':
      put(&o, (char)va_arg(ap, int));
      break;
    case '\0':
      fmt--;   /* a lone '%' at the end */
      break;
    default:   /* "%%" and unknown conversions print the character */
      put(&o, *fmt);
      break;
    }
  }
  if (size > 0) buf[o.len < size ? o.len : size - 1] = '\0';
  return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

/* Formats and writes to the console log. Returns the number of characters written. */
int printf(const char *fmt, ...)
{
  char buf[PRINTF_BUF];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n > (int)sizeof(buf) - 1) n = (int)sizeof(buf) - 1;
  sys_diagctl(buf, (uint32_t)n);
  return n;
}

/* Logs "panic: <message>" and exits with status -1. For broken invariants only. */
void panic(const char *fmt, ...)
{
  char buf[PRINTF_BUF];
  va_list ap;
  int n;

  memcpy(buf, "panic: ", 7);
  va_start(ap, fmt);
  n = vsnprintf(buf + 7, sizeof(buf) - 8, fmt, ap);
  va_end(ap);
  n += 7;
  if (n > (int)sizeof(buf) - 2) n = (int)sizeof(buf) - 2;
  buf[n++] = '\n';
  sys_diagctl(buf, (uint32_t)n);
  sys_exit(-1);
}
