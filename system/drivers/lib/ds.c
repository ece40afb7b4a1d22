/*
 * Data store client: publish and retrieve 32-bit values under a key (DS_PUBLISH / DS_RETRIEVE,
 * sendrec to DS_PROC_NR). The key travels inline in m_ds.key (NUL-terminated, at most 31
 * characters). DS replies with m_type DS_REPLY, m_ds.flags = OK or a negative error and, for a
 * retrieve, m_ds.value = the value.
 */
#include "libsys.h"

/* Builds a DS request of `type` for key; -EINVAL if the key is empty or too long. */
static int ds_request(message *m, int type, const char *key)
{
  size_t len = strnlen(key, sizeof(m->m_ds.key));

  if (len == 0 || len >= sizeof(m->m_ds.key)) return -EINVAL;
  memset(m, 0, sizeof(*m));
  m->m_type = type;
  memcpy(m->m_ds.key, key, len);
  return OK;
}

/* Sends the request and checks the reply: the IPC error, -EBADREQUEST for a malformed reply, or DS's status. */
static int ds_call(message *m)
{
  int r;

  r = ipc_sendrec(DS_PROC_NR, m);
  if (r != OK) return r;
  if (m->m_type != DS_REPLY) return -EBADREQUEST;
  return (int32_t)m->m_ds.flags;
}

/* Publishes key = value; flags DSF_OVERWRITE replaces an existing entry. */
int ds_publish_u32(const char *key, uint32_t value, int flags)
{
  message m;
  int r;

  r = ds_request(&m, DS_PUBLISH, key);
  if (r != OK) return r;
  m.m_ds.value = value;
  m.m_ds.flags = (uint32_t)flags;
  return ds_call(&m);
}

/* Retrieves the value published under key. */
int ds_retrieve_u32(const char *key, uint32_t *value)
{
  message m;
  int r;

  r = ds_request(&m, DS_RETRIEVE, key);
  if (r != OK) return r;
  r = ds_call(&m);
  if (r == OK) *value = m.m_ds.value;
  return r;
}
