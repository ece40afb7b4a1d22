/*
 * The string and memory functions drivers need. Drivers are built with -fno-builtin, but the
 * compiler still emits calls to memcpy/memset for struct copies and initialisers, so these are
 * the ones it gets.
 */
#include "libsys.h"

void *memcpy(void *dst, const void *src, size_t n)
{
  uint8_t *d = dst;
  const uint8_t *s = src;

  if ((((uintptr_t)d | (uintptr_t)s | n) & 3) == 0) {   /* word-aligned: copy words */
    uint32_t *dw = dst;
    const uint32_t *sw = src;
    for (; n != 0; n -= 4) *dw++ = *sw++;
    return dst;
  }
  while (n-- != 0) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
  uint8_t *d = dst;
  const uint8_t *s = src;

  if (d <= s || d >= s + n) {
    while (n-- != 0) *d++ = *s++;
  } else {
    while (n-- != 0) d[n] = s[n];
  }
  return dst;
}

void *memset(void *dst, int c, size_t n)
{
  uint8_t *d = dst;

  while (n-- != 0) *d++ = (uint8_t)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
  const uint8_t *p = a, *q = b;

  for (; n != 0; n--, p++, q++) {
    if (*p != *q) return *p < *q ? -1 : 1;
  }
  return 0;
}

size_t strlen(const char *s)
{
  const char *p = s;

  while (*p != '\0') p++;
  return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
  size_t n = 0;

  while (n < max && s[n] != '\0') n++;
  return n;
}

int strcmp(const char *a, const char *b)
{
  while (*a != '\0' && *a == *b) {
    a++;
    b++;
  }
  return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
  for (; n != 0; n--, a++, b++) {
    if (*a != *b || *a == '\0') return (uint8_t)*a - (uint8_t)*b;
  }
  return 0;
}

/* Copies src into dst[size] (always NUL-terminated when size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size)
{
  size_t len = strlen(src);

  if (size > 0) {
    size_t n = len < size - 1 ? len : size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
  }
  return len;
}
