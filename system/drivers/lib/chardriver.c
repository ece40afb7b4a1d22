/*
 * The character-driver message loop (chardriver.h): init and announcement, then receive and
 * dispatch. Notifications: HARDWARE -> cdr_intr, CLOCK -> cdr_tick (and the next tick is set),
 * RS -> heartbeat answer. Requests: CDEV_* -> the driver's callbacks, each answered with
 * CDEV_REPLY unless the driver suspended it.
 */
#include "chardriver.h"

static uint32_t cd_tick_ticks;   /* period of cdr_tick (0: none), from cdr_init */

/* Sends CDEV_REPLY {status, id, value} to `endpt`. A client that cannot be reached is only logged. */
static void cd_send_reply(endpoint_t endpt, uint32_t id, int status, uint32_t value)
{
  message m;
  int r;

  memset(&m, 0, sizeof(m));
  m.m_type = CDEV_REPLY;
  m.m_cdev_reply.status = status;
  m.m_cdev_reply.id = id;
  m.m_cdev_reply.value = value;
  r = ipc_send(endpt, &m);
  if (r != OK) printf("chardriver: reply to %d failed: %d\n", endpt, r);
}

void chardriver_reply(const struct chardriver_req *req, int status)
{
  cd_send_reply(req->endpt, req->id, status, 0);
}

int chardriver_copyin(const struct chardriver_req *req, uint32_t off, void *ptr, uint32_t size)
{
  if (off > req->size || size > req->size - off) return -EINVAL;
  return sys_safecopyfrom(req->endpt, req->grant, off, ptr, size);
}

int chardriver_copyout(const struct chardriver_req *req, uint32_t off, const void *ptr, uint32_t size)
{
  if (off > req->size || size > req->size - off) return -EINVAL;
  return sys_safecopyto(req->endpt, req->grant, off, ptr, size);
}

/* A notification: dispatch by who sent it. */
static void cd_notify(const struct chardriver *cdp, const message *m)
{
  switch (m->m_source) {
  case HARDWARE:
    if (cdp->cdr_intr != NULL) cdp->cdr_intr(m->m_notify.interrupts);
    break;
  case CLOCK:
    if (cdp->cdr_tick != NULL) cdp->cdr_tick();
    if (cd_tick_ticks > 0) sys_setalarm(cd_tick_ticks, 0);
    break;
  case RS_PROC_NR:
    driver_heartbeat();
    break;
  default:
    break;
  }
}

/* A CDEV request: runs it and replies, unless the driver suspended a read or write. */
static void cd_request(const struct chardriver *cdp, const message *m)
{
  struct chardriver_req req;
  uint32_t value = 0;
  int r;

  req.endpt = m->m_source;
  req.id = m->m_cdev.id;
  req.minor = m->m_cdev.minor;
  req.grant = (cp_grant_id_t)m->m_cdev.grant;
  req.size = m->m_cdev.count;
  switch (m->m_type) {
  case CDEV_OPEN:
    r = cdp->cdr_open != NULL ? cdp->cdr_open(req.minor, m->m_cdev.access) : OK;
    break;
  case CDEV_CLOSE:
    r = cdp->cdr_close != NULL ? cdp->cdr_close(req.minor) : OK;
    break;
  case CDEV_READ:
    r = cdp->cdr_read != NULL ? cdp->cdr_read(&req) : -EIO;
    break;
  case CDEV_WRITE:
    r = cdp->cdr_write != NULL ? cdp->cdr_write(&req) : -EIO;
    break;
  case CDEV_IOCTL:
    r = cdp->cdr_ioctl != NULL ? cdp->cdr_ioctl(req.minor, m->m_cdev.request, m->m_cdev.arg, &value) : -ENOTTY;
    break;
  default:
    printf("chardriver: unexpected message 0x%x from %d\n", (unsigned)m->m_type, m->m_source);
    return;
  }
  if (r != CHARDRIVER_SUSPEND) cd_send_reply(req.endpt, req.id, r, value);
}

/* Who we are, the device, the announcement and the first tick. Exits if the device cannot be used. */
static void chardriver_init(const struct chardriver *cdp)
{
  char label[16];
  int r;

  if (sys_whoami(NULL, label, sizeof(label)) != OK || label[0] == '\0') strlcpy(label, "chr", sizeof(label));
  r = cdp->cdr_init(&cd_tick_ticks);
  if (r != OK) {
    printf("chardriver: initialisation failed: %d\n", r);
    sys_exit(r);
  }
  driver_announce("drv.chr.", label);
  if (cd_tick_ticks > 0) sys_setalarm(cd_tick_ticks, 0);
}

void chardriver_task(const struct chardriver *cdp)
{
  message m;
  int r;

  chardriver_init(cdp);
  for (;;) {
    r = ipc_receive(ANY, &m);
    if (r != OK) {
      printf("chardriver: receive failed: %d\n", r);
      continue;
    }
    if (m.m_type == NOTIFY_MESSAGE) cd_notify(cdp, &m);
    else cd_request(cdp, &m);
  }
}
