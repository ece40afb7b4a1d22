/*
 * Boot parameters: the string from sys_getparams holds "key=value" words separated by blanks,
 * tabs, newlines or commas, e.g. "dma=1 timeout=30". A key without '=' has the value "".
 */
#include "libsys.h"

static int is_separator(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == ',';
}

/*
 * Copies the value of `key` in params into value (NUL-terminated, truncated to len - 1).
 * Returns OK, or -ENOENT if the key is absent.
 */
int env_get(const char *params, const char *key, char *value, int len)
{
  size_t klen = strlen(key);
  const char *p = params;

  while (*p != '\0') {
    const char *word, *end;
    while (is_separator(*p)) p++;
    word = p;
    while (*p != '\0' && !is_separator(*p)) p++;
    end = p;
    if ((size_t)(end - word) < klen || strncmp(word, key, klen) != 0) continue;
    if (word + klen != end && word[klen] != '=') continue;
    word += klen;
    if (word != end) word++;   /* skip '=' */
    if (len > 0) {
      int n = (int)(end - word) < len - 1 ? (int)(end - word) : len - 1;
      memcpy(value, word, (size_t)n);
      value[n] = '\0';
    }
    return OK;
  }
  return -ENOENT;
}

/* The value of `key` as a decimal or 0x-hexadecimal number. -EINVAL if it is not one. */
int env_get_u32(const char *params, const char *key, uint32_t *value)
{
  char text[16];
  uint32_t v = 0, base = 10;
  const char *p = text;
  int r;

  r = env_get(params, key, text, sizeof(text));
  if (r != OK) return r;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (*p == '\0') return -EINVAL;
  for (; *p != '\0'; p++) {
    uint32_t d;
    if (*p >= '0' && *p <= '9') d = (uint32_t)(*p - '0');
    else if (base == 16 && *p >= 'a' && *p <= 'f') d = (uint32_t)(*p - 'a' + 10);
    else if (base == 16 && *p >= 'A' && *p <= 'F') d = (uint32_t)(*p - 'A' + 10);
    else return -EINVAL;
    v = v * base + d;
  }
  *value = v;
  return OK;
}
