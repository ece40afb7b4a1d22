/*
 * This process's grant table: NR_GRANTS cp_grant_t entries in our own memory, registered once
 * with the kernel (SYS_SETGRANT address, number of entries). A grant id is an index into the
 * table; the kernel reads the entry when a grantee copies, so revoking is clearing the entry.
 */
#include "libsys.h"

static cp_grant_t grant_table[NR_GRANTS];   /* written only by this file */
static int grants_registered;               /* 1 once SYS_SETGRANT succeeded */

/* Registers the table with the kernel (again, if called again). */
int cpf_init(void)
{
  message m;
  int r;

  memset(&m, 0, sizeof(m));
  m.m_setgrant.address = (uint32_t)(uintptr_t)grant_table;
  m.m_setgrant.size = NR_GRANTS;
  r = _kernel_call(SYS_SETGRANT, &m);
  if (r == OK) grants_registered = 1;
  return r;
}

/*
 * Grants `who` access (CPF_READ and/or CPF_WRITE) to [addr, addr + len) of our memory. Returns
 * the grant id, or GRANT_INVALID if the access is bad, the table is full or cannot be registered.
 */
cp_grant_id_t cpf_grant_direct(endpoint_t who, void *addr, uint32_t len, int access)
{
  int i;

  if (access == 0 || (access & ~(CPF_READ | CPF_WRITE)) != 0) return GRANT_INVALID;
  if (!grants_registered && cpf_init() != OK) return GRANT_INVALID;
  for (i = 0; i < NR_GRANTS; i++) {
    cp_grant_t *g = &grant_table[i];
    if (g->cp_flags & CPF_USED) continue;
    g->cp_who_to = who;
    g->cp_start = (uint32_t)(uintptr_t)addr;
    g->cp_len = len;
    g->cp_flags = (uint32_t)access | CPF_USED | CPF_VALID;   /* last: the entry is complete */
    return i;
  }
  return GRANT_INVALID;
}

/* Revokes grant `id`. Returns OK, or -EINVAL if id is not a grant in use. */
int cpf_revoke(cp_grant_id_t id)
{
  if (id < 0 || id >= NR_GRANTS || !(grant_table[id].cp_flags & CPF_USED)) return -EINVAL;
  grant_table[id].cp_flags = 0;
  grant_table[id].cp_len = 0;
  return OK;
}
