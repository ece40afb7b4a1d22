/*
 * Copies between this process and another one's memory through a grant the other process made
 * (SYS_SAFECOPYFROM / SYS_SAFECOPYTO). The kernel checks that the grant exists, names us as
 * grantee, allows the direction, and that offset + bytes fits in it.
 */
#include "libsys.h"

static int safecopy(int call, endpoint_t who, cp_grant_id_t grant, uint32_t offset, const void *addr,
                    uint32_t bytes)
{
  message m;

  memset(&m, 0, sizeof(m));
  m.m_safecopy.endpt = who;
  m.m_safecopy.grant = (uint32_t)grant;
  m.m_safecopy.offset = offset;
  m.m_safecopy.address = (uint32_t)(uintptr_t)addr;
  m.m_safecopy.bytes = bytes;
  return _kernel_call(call, &m);
}

/* Copies `bytes` from offset `offset` of src's grant `grant` to addr. */
int sys_safecopyfrom(endpoint_t src, cp_grant_id_t grant, uint32_t offset, void *addr, uint32_t bytes)
{
  return safecopy(SYS_SAFECOPYFROM, src, grant, offset, addr, bytes);
}

/* Copies `bytes` from addr to offset `offset` of dst's grant `grant`. */
int sys_safecopyto(endpoint_t dst, cp_grant_id_t grant, uint32_t offset, const void *addr, uint32_t bytes)
{
  return safecopy(SYS_SAFECOPYTO, dst, grant, offset, addr, bytes);
}
