/*
 * Kernel calls about time, memory and the process itself: alarms (SYS_SETALARM), uptime, HZ,
 * identity and boot parameters (SYS_GETINFO), virtual-to-physical translation for DMA
 * (SYS_UMAP), console output (SYS_DIAGCTL) and exit (SYS_EXIT).
 */
#include "libsys.h"

/*
 * Sets our one alarm: CLOCK notifies us `ticks` ticks from now (abs_time 0) or at uptime `ticks`
 * (abs_time 1). ticks 0 cancels a pending alarm.
 */
int sys_setalarm(uint32_t ticks, int abs_time)
{
  message m;

  memset(&m, 0, sizeof(m));
  m.m_setalarm.exp_lo = ticks;
  m.m_setalarm.exp_hi = 0;
  m.m_setalarm.abs_time = (uint32_t)abs_time;
  return _kernel_call(SYS_SETALARM, &m);
}

/* SYS_GETINFO `request` into [addr, addr + size) of our memory. */
int sys_getinfo(int request, void *addr, uint32_t size)
{
  message m;

  memset(&m, 0, sizeof(m));
  m.m_getinfo.request = (uint32_t)request;
  m.m_getinfo.address = (uint32_t)(uintptr_t)addr;
  m.m_getinfo.size = size;
  m.m_getinfo.endpt = SELF;
  return _kernel_call(SYS_GETINFO, &m);
}

/* Clock ticks since boot. */
int sys_getuptime(uint64_t *ticks)
{
  uint32_t t[2];
  int r;

  r = sys_getinfo(GET_UPTIME, t, sizeof(t));
  if (r == OK) *ticks = ((uint64_t)t[1] << 32) | t[0];
  return r;
}

/* Clock ticks per second (> 0), or a negative error. */
int sys_hz(void)
{
  uint32_t hz = 0;
  int r;

  r = sys_getinfo(GET_HZ, &hz, sizeof(hz));
  if (r != OK) return r;
  if (hz == 0 || hz > 0x7fffffff) return -EINVAL;
  return (int)hz;
}

/* Our endpoint and label (NUL-terminated, truncated to len - 1 characters). */
int sys_whoami(endpoint_t *endpt, char *label, int len)
{
  whoami_info info;
  int r;

  memset(&info, 0, sizeof(info));
  r = sys_getinfo(GET_WHOAMI, &info, sizeof(info));
  if (r != OK) return r;
  info.label[sizeof(info.label) - 1] = '\0';
  if (endpt != NULL) *endpt = info.endpt;
  if (label != NULL && len > 0) strlcpy(label, info.label, (size_t)len);
  return OK;
}

/* Our boot parameters into buf (always NUL-terminated when len > 0). */
int sys_getparams(char *buf, int len)
{
  int r;

  if (len <= 0) return -EINVAL;
  memset(buf, 0, (size_t)len);
  r = sys_getinfo(GET_PARAMS, buf, (uint32_t)len);
  buf[len - 1] = '\0';
  return r;
}

/* The physical address of [vaddr, vaddr + size) of our memory; the range must be contiguous. */
int sys_umap(void *vaddr, uint32_t size, uint32_t *paddr)
{
  message m;
  int r;

  memset(&m, 0, sizeof(m));
  m.m_umap.vaddr = (uint32_t)(uintptr_t)vaddr;
  m.m_umap.size = size;
  r = _kernel_call(SYS_UMAP, &m);
  if (r == OK) *paddr = m.m_umap.paddr;
  return r;
}

/* Writes `size` bytes of text to the console log. */
int sys_diagctl(const char *text, uint32_t size)
{
  message m;

  memset(&m, 0, sizeof(m));
  m.m_diag.address = (uint32_t)(uintptr_t)text;
  m.m_diag.size = size;
  return _kernel_call(SYS_DIAGCTL, &m);
}

/* Ends this process with `status`. If the kernel ever returns, spins (RS will see a hang). */
void sys_exit(int status)
{
  message m;

  memset(&m, 0, sizeof(m));
  m.m_exit.status = status;
  _kernel_call(SYS_EXIT, &m);
  for (;;) {
  }
}
