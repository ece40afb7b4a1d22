/*
 * The block-driver framework (after MINIX's libblockdriver): a driver fills in a struct
 * blockdriver with its handlers and calls blockdriver_task(), which receives messages forever,
 * dispatches them and replies. Requests (BDEV_OPEN/CLOSE/READ/WRITE, see abi.h) are answered
 * with BDEV_REPLY { m_bdev_reply.status = bytes transferred or OK or a negative error,
 * m_bdev_reply.id = the request's m_bdev.id }.
 */
#ifndef BULKHEAD_BLOCKDRIVER_H
#define BULKHEAD_BLOCKDRIVER_H

#include "libsys.h"

struct blockdriver {
  /* BDEV_OPEN of `minor` with BDEV_R_BIT/BDEV_W_BIT `access`: OK or a negative error. */
  int (*bdr_open)(uint32_t minor, uint32_t access);
  /* BDEV_CLOSE of `minor`: OK or a negative error. */
  int (*bdr_close)(uint32_t minor);
  /*
   * BDEV_READ (do_write 0) / BDEV_WRITE (1) of `count` bytes at byte position `pos`, to/from the
   * caller's grant `grant` (offset 0). Returns the bytes transferred or a negative error.
   */
  ssize_t (*bdr_transfer)(endpoint_t caller, int do_write, uint64_t pos, cp_grant_id_t grant, uint32_t count);
  /* A HARDWARE notification; mask = m_notify.interrupts (bit hook id per interrupting hook). */
  void (*bdr_intr)(uint32_t mask);
  /* A CLOCK notification (our alarm went off); may be NULL. */
  void (*bdr_alarm)(void);
  /* Number of minor devices: requests for minor >= bdr_nr_minors get -ENXIO. */
  uint32_t bdr_nr_minors;
};

/* Serves requests forever. */
void blockdriver_task(struct blockdriver *bd) __attribute__((noreturn));

/* Handles one received message (a request, or a notification). */
void blockdriver_process(struct blockdriver *bd, message *m);

/* Replies BDEV_REPLY { status, id of req } to the sender of request req. */
int blockdriver_reply(const message *req, int status);

/*
 * Keeps a request that arrived while the driver was busy (waiting for its device) to be served
 * by blockdriver_task afterwards, in arrival order. OK, or -ENOSPC when the queue is full.
 */
#define BLOCKDRIVER_MQ_SIZE 8
int blockdriver_mq_queue(const message *m);

/* Announces the driver in DS: "drv.blk.<label>" = DS_DRIVER_UP (a warning if DS is not there). */
int blockdriver_announce(const char *label);

/* Answers an RS heartbeat (RS pings with a notification; the answer is a notification). */
void blockdriver_heartbeat(void);

#endif
