/*
 * Port I/O through the kernel: single accesses (SYS_DEVIO), vectors of byte/word/long writes or
 * reads (SYS_VDEVIO) and strings of words/longs between a port and the caller's memory
 * (SYS_SDEVIO, as for an ATA data register). The kernel checks every port against the caller's
 * port ranges (-EPERM outside them), so a driver never touches the port window itself.
 */
#include "libsys.h"

/* One SYS_DEVIO access. For an input, *value receives what the port returned. */
static int devio(int request, uint32_t port, uint32_t value, uint32_t *in)
{
  message m;
  int r;

  memset(&m, 0, sizeof(m));
  m.m_devio.port = port;
  m.m_devio.value = value;
  m.m_devio.request = (uint32_t)request;
  r = _kernel_call(SYS_DEVIO, &m);
  if (r == OK && in != NULL) *in = m.m_devio.value;
  return r;
}

int sys_inb(uint32_t port, uint32_t *value)
{
  return devio(DIO_INPUT_BYTE, port, 0, value);
}

int sys_inw(uint32_t port, uint32_t *value)
{
  return devio(DIO_INPUT_WORD, port, 0, value);
}

int sys_inl(uint32_t port, uint32_t *value)
{
  return devio(DIO_INPUT_LONG, port, 0, value);
}

int sys_outb(uint32_t port, uint32_t value)
{
  return devio(DIO_OUTPUT_BYTE, port, value & 0xff, NULL);
}

int sys_outw(uint32_t port, uint32_t value)
{
  return devio(DIO_OUTPUT_WORD, port, value & 0xffff, NULL);
}

int sys_outl(uint32_t port, uint32_t value)
{
  return devio(DIO_OUTPUT_LONG, port, value, NULL);
}

/*
 * Performs the n (1..VDEVIO_MAX) port accesses in pairs[] in order, all of kind `request`
 * (DIO_OUTPUT_BYTE, ...). For inputs the kernel stores each value read in pairs[i].value.
 */
int sys_vdevio(int request, pvb_pair_t *pairs, int n)
{
  message m;

  if (n < 1 || n > VDEVIO_MAX) return -EINVAL;
  memset(&m, 0, sizeof(m));
  m.m_vdevio.vec_addr = (uint32_t)(uintptr_t)pairs;
  m.m_vdevio.vec_size = (uint32_t)n;
  m.m_vdevio.request = (uint32_t)request;
  return _kernel_call(SYS_VDEVIO, &m);
}

/* One SYS_SDEVIO: `count` items of the request's size between `port` and buf. */
static int sdevio(int request, uint32_t port, const void *buf, uint32_t count)
{
  message m;

  memset(&m, 0, sizeof(m));
  m.m_sdevio.port = port;
  m.m_sdevio.request = (uint32_t)request;
  m.m_sdevio.address = (uint32_t)(uintptr_t)buf;
  m.m_sdevio.count = count;
  return _kernel_call(SYS_SDEVIO, &m);
}

int sys_insw(uint32_t port, void *buf, uint32_t count_words)
{
  return sdevio(DIO_INPUT_WORD, port, buf, count_words);
}

int sys_outsw(uint32_t port, const void *buf, uint32_t count_words)
{
  return sdevio(DIO_OUTPUT_WORD, port, buf, count_words);
}

int sys_insl(uint32_t port, void *buf, uint32_t count_longs)
{
  return sdevio(DIO_INPUT_LONG, port, buf, count_longs);
}

int sys_outsl(uint32_t port, const void *buf, uint32_t count_longs)
{
  return sdevio(DIO_OUTPUT_LONG, port, buf, count_longs);
}
