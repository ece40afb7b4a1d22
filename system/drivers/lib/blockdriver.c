/*
 * The block-driver message loop: receive (or take a queued request), dispatch by source and type
 * to the driver's handlers, reply. Notifications: HARDWARE -> bdr_intr, CLOCK -> bdr_alarm,
 * RS -> heartbeat answer; others are ignored. Requests: BDEV_OPEN/CLOSE/READ/WRITE -> handler ->
 * BDEV_REPLY; anything else -> BDEV_REPLY -EINVAL.
 */
#include "blockdriver.h"

/* Requests deferred while the driver waited for its device (a ring; written only here). */
static message mq_ring[BLOCKDRIVER_MQ_SIZE];
static uint32_t mq_head;    /* index of the oldest queued request */
static uint32_t mq_count;   /* number of queued requests */
static uint32_t mq_dropped; /* requests refused because the ring was full */

int blockdriver_mq_queue(const message *m)
{
  if (mq_count >= BLOCKDRIVER_MQ_SIZE) {
    mq_dropped++;
    return -ENOSPC;
  }
  mq_ring[(mq_head + mq_count) % BLOCKDRIVER_MQ_SIZE] = *m;
  mq_count++;
  return OK;
}

/* Takes the oldest queued request into *m. Returns 1 if there was one, else 0. */
static int mq_dequeue(message *m)
{
  if (mq_count == 0) return 0;
  *m = mq_ring[mq_head % BLOCKDRIVER_MQ_SIZE];
  mq_head = (mq_head + 1) % BLOCKDRIVER_MQ_SIZE;
  mq_count--;
  return 1;
}

int blockdriver_reply(const message *req, int status)
{
  message reply;
  int r;

  memset(&reply, 0, sizeof(reply));
  reply.m_type = BDEV_REPLY;
  reply.m_bdev_reply.status = status;
  reply.m_bdev_reply.id = req->m_bdev.id;
  r = ipc_send(req->m_source, &reply);
  if (r != OK) printf("blockdriver: reply to %d failed: %d\n", req->m_source, r);
  return r;
}

void blockdriver_heartbeat(void)
{
  driver_heartbeat();
}

/* A notification: dispatch by who sent it. */
static void do_notify(struct blockdriver *bd, const message *m)
{
  switch (m->m_source) {
  case HARDWARE:
    if (bd->bdr_intr != NULL) bd->bdr_intr(m->m_notify.interrupts);
    break;
  case CLOCK:
    if (bd->bdr_alarm != NULL) bd->bdr_alarm();
    break;
  case RS_PROC_NR:
    blockdriver_heartbeat();
    break;
  default:
    break;   /* nobody else has a reason to notify a block driver */
  }
}

/* A BDEV request: returns the status to reply. */
static int do_request(struct blockdriver *bd, const message *m)
{
  uint64_t pos;

  if (m->m_type < BDEV_OPEN || m->m_type > BDEV_WRITE) return -EINVAL;
  if (m->m_bdev.minor >= bd->bdr_nr_minors) return -ENXIO;
  switch (m->m_type) {
  case BDEV_OPEN:
    return bd->bdr_open(m->m_bdev.minor, m->m_bdev.access);
  case BDEV_CLOSE:
    return bd->bdr_close(m->m_bdev.minor);
  default:
    pos = ((uint64_t)m->m_bdev.pos_hi << 32) | m->m_bdev.pos_lo;
    return bd->bdr_transfer(m->m_source, m->m_type == BDEV_WRITE, pos, (cp_grant_id_t)m->m_bdev.grant,
                            m->m_bdev.count);
  }
}

void blockdriver_process(struct blockdriver *bd, message *m)
{
  if (m->m_type == NOTIFY_MESSAGE) {
    do_notify(bd, m);
    return;
  }
  blockdriver_reply(m, do_request(bd, m));
}

void blockdriver_task(struct blockdriver *bd)
{
  message m;
  int r;

  for (;;) {
    if (!mq_dequeue(&m)) {
      r = ipc_receive(ANY, &m);
      if (r != OK) {
        printf("blockdriver: receive failed: %d\n", r);
        continue;
      }
    }
    blockdriver_process(bd, &m);
  }
}

int blockdriver_announce(const char *label)
{
  return driver_announce("drv.blk.", label);
}
