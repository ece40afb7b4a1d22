/*
 * The network-driver message loop (netdriver.h): init and announcement, then receive and
 * dispatch. Notifications: HARDWARE -> ndr_intr, CLOCK -> ndr_tick (and the next tick is set),
 * RS -> heartbeat answer. Requests: NDEV_* -> do_init / do_conf / do_transfer / do_getstat, each
 * answered with request + NDEV_REPLY_BIT; sends and receives the driver cannot finish at once
 * wait in two rings and are answered from netdriver_send() / netdriver_recv().
 */
#include "netdriver.h"

/* A ring of waiting requests, oldest first. */
struct pending {
  struct netdriver_data q[NDEV_PENDING_MAX];
  uint32_t head;    /* index of the oldest */
  uint32_t count;
};

/* Framework state: set by netdriver_task, changed by requests where noted. */
static const struct netdriver *ndr;       /* the driver's callbacks */
static char nd_label[16];                 /* our label, for the DS key */
static uint8_t nd_hwaddr[ETH_ADDR_LEN];   /* the card's MAC, from ndr_init */
static uint32_t nd_tick_ticks;            /* period of ndr_tick (0: none) */
static int nd_init_expected;              /* 1 until the first NDEV_INIT after a (re)start */
static struct pending nd_sends, nd_recvs; /* waiting NDEV_SEND / NDEV_RECV requests */

/* Sends reply `type` {status, id} to `endpt`. A client that cannot be reached is only logged. */
static void nd_reply(endpoint_t endpt, int type, uint32_t id, int status)
{
  message m;
  int r;

  memset(&m, 0, sizeof(m));
  m.m_type = type | NDEV_REPLY_BIT;
  m.m_ndev_reply.status = status;
  m.m_ndev_reply.id = id;
  r = ipc_send(endpt, &m);
  if (r != OK) printf("netdriver: reply to %d failed: %d\n", endpt, r);
}

int netdriver_copyin(const struct netdriver_data *data, uint32_t off, void *ptr, uint32_t size)
{
  if (off > data->size || size > data->size - off) return -EINVAL;
  return sys_safecopyfrom(data->endpt, data->grant, off, ptr, size);
}

int netdriver_copyout(const struct netdriver_data *data, uint32_t off, const void *ptr, uint32_t size)
{
  if (off > data->size || size > data->size - off) return -EINVAL;
  return sys_safecopyto(data->endpt, data->grant, off, ptr, size);
}

/* Removes the oldest request of p and answers it with `status`. */
static void nd_finish(struct pending *p, int type, int status)
{
  struct netdriver_data *d = &p->q[p->head];

  p->head = (p->head + 1) % NDEV_PENDING_MAX;
  p->count--;
  nd_reply(d->endpt, type, d->id, status);
}

void netdriver_send(void)
{
  int r;

  while (nd_sends.count > 0) {
    struct netdriver_data *d = &nd_sends.q[nd_sends.head];
    r = ndr->ndr_send(d);
    if (r == NETDRIVER_SUSPEND) break;
    nd_finish(&nd_sends, NDEV_SEND, r == OK ? (int)d->size : r);
  }
}

void netdriver_recv(void)
{
  ssize_t r;

  while (nd_recvs.count > 0) {
    do {
      r = ndr->ndr_recv(&nd_recvs.q[nd_recvs.head]);
    } while (r == 0);   /* the driver dropped a frame: take the next */
    if (r == NETDRIVER_SUSPEND) break;
    nd_finish(&nd_recvs, NDEV_RECV, r);
  }
}

/* NDEV_SEND / NDEV_RECV: checks the size, queues the request and lets the driver try it. */
static int do_transfer(const message *m, int do_send)
{
  struct pending *p = do_send ? &nd_sends : &nd_recvs;
  struct netdriver_data *d;
  uint32_t size = m->m_ndev.count;

  if (size < NDEV_FRAME_MIN || (do_send && size > NDEV_FRAME_MAX)) return -EINVAL;
  if (p->count >= NDEV_PENDING_MAX) return -EBUSY;
  d = &p->q[(p->head + p->count) % NDEV_PENDING_MAX];
  d->endpt = m->m_source;
  d->id = m->m_ndev.id;
  d->grant = (cp_grant_id_t)m->m_ndev.grant;
  d->size = size;
  p->count++;
  if (do_send) netdriver_send();
  else netdriver_recv();
  return OK;
}

/*
 * NDEV_INIT: the client (re)starts talking to us, so nothing it sent before is still awaited:
 * the waiting requests are forgotten without replies (as MINIX does) and the card is reset.
 * The reply carries the MAC and the link state.
 */
static void do_init(const message *m)
{
  message reply;
  int r, i;

  nd_sends.count = 0;
  nd_recvs.count = 0;
  nd_init_expected = 0;
  r = ndr->ndr_reset != NULL ? ndr->ndr_reset() : OK;
  memset(&reply, 0, sizeof(reply));
  reply.m_type = NDEV_INIT | NDEV_REPLY_BIT;
  reply.m_ndev_reply.status = r;
  reply.m_ndev_reply.id = m->m_ndev.id;
  reply.m_ndev_reply.link = ndr->ndr_link != NULL ? (uint32_t)ndr->ndr_link() : 1;
  for (i = 0; i < 4; i++) reply.m_ndev_reply.hwaddr_lo |= (uint32_t)nd_hwaddr[i] << (8 * i);
  for (i = 0; i < 2; i++) reply.m_ndev_reply.hwaddr_hi |= (uint32_t)nd_hwaddr[4 + i] << (8 * i);
  r = ipc_send(m->m_source, &reply);
  if (r != OK) printf("netdriver: init reply to %d failed: %d\n", m->m_source, r);
}

/* NDEV_GETSTAT: the driver's counters, copied out through the client's grant. */
static int do_getstat(const message *m)
{
  struct netdriver_data d;
  ndev_stat stat;

  if (m->m_ndev.count < sizeof(stat)) return -EINVAL;
  memset(&stat, 0, sizeof(stat));
  if (ndr->ndr_stat != NULL) ndr->ndr_stat(&stat);
  d.endpt = m->m_source;
  d.id = m->m_ndev.id;
  d.grant = (cp_grant_id_t)m->m_ndev.grant;
  d.size = sizeof(stat);
  return netdriver_copyout(&d, 0, &stat, sizeof(stat));
}

/* A notification: dispatch by who sent it. */
static void do_notify(const message *m)
{
  switch (m->m_source) {
  case HARDWARE:
    if (ndr->ndr_intr != NULL) ndr->ndr_intr(m->m_notify.interrupts);
    break;
  case CLOCK:
    if (ndr->ndr_tick != NULL) ndr->ndr_tick();
    if (nd_tick_ticks > 0) sys_setalarm(nd_tick_ticks, 0);
    break;
  case RS_PROC_NR:
    driver_heartbeat();
    break;
  default:
    break;   /* nobody else has a reason to notify a network driver */
  }
}

/* An NDEV request other than NDEV_INIT: the status to reply, or OK after a queued transfer. */
static int do_request(const message *m)
{
  switch (m->m_type) {
  case NDEV_CONF:
    if (ndr->ndr_mode != NULL) ndr->ndr_mode(m->m_ndev.mode);
    return OK;
  case NDEV_GETSTAT:
    return do_getstat(m);
  default:
    return -EINVAL;
  }
}

void netdriver_process(const struct netdriver *ndp, const message *m)
{
  int type = m->m_type, r;

  ndr = ndp;
  if (type == NOTIFY_MESSAGE) {
    do_notify(m);
    return;
  }
  if (type < NDEV_RQ_BASE || type >= NDEV_RQ_BASE + NDEV_REPLY_BIT) {
    printf("netdriver: unexpected message 0x%x from %d\n", (unsigned)type, m->m_source);
    return;
  }
  if (type == NDEV_INIT) {
    do_init(m);
    return;
  }
  if (nd_init_expected) {
    nd_reply(m->m_source, type, m->m_ndev.id, -ENOTREADY);
    return;
  }
  if (type == NDEV_SEND || type == NDEV_RECV) {
    r = do_transfer(m, type == NDEV_SEND);   /* a queued request is answered when done */
    if (r != OK) nd_reply(m->m_source, type, m->m_ndev.id, r);
    return;
  }
  nd_reply(m->m_source, type, m->m_ndev.id, do_request(m));
}

int netdriver_announce(const char *label)
{
  return driver_announce("drv.net.", label);
}

/* Who we are, the card, the announcement and the first tick. Exits if the card cannot be used. */
static void netdriver_init(const struct netdriver *ndp)
{
  int r;

  ndr = ndp;
  nd_init_expected = 1;
  if (sys_whoami(NULL, nd_label, sizeof(nd_label)) != OK || nd_label[0] == '\0')
    strlcpy(nd_label, "net", sizeof(nd_label));
  r = ndp->ndr_init(nd_hwaddr, &nd_tick_ticks);
  if (r != OK) {
    printf("netdriver: initialisation failed: %d\n", r);
    sys_exit(r);
  }
  netdriver_announce(nd_label);
  if (nd_tick_ticks > 0) sys_setalarm(nd_tick_ticks, 0);
}

void netdriver_task(const struct netdriver *ndp)
{
  message m;
  int r;

  netdriver_init(ndp);
  for (;;) {
    r = ipc_receive(ANY, &m);
    if (r != OK) {
      printf("netdriver: receive failed: %d\n", r);
      continue;
    }
    netdriver_process(ndp, &m);
  }
}
