/*
 * The character-driver framework (after MINIX's libchardriver): a driver fills in a struct
 * chardriver with its callbacks and calls chardriver_task(), which initialises the driver,
 * announces it in DS as "drv.chr.<label>", then receives messages forever and dispatches them.
 *
 * The protocol (abi.h, "Character-device protocol"): CDEV_OPEN, CDEV_CLOSE, CDEV_READ,
 * CDEV_WRITE and CDEV_IOCTL, each answered with CDEV_REPLY {status, id, value}. A read or write
 * the driver cannot finish now returns CHARDRIVER_SUSPEND; the driver keeps the request and
 * answers it later with chardriver_reply() (after an interrupt, say), as MINIX drivers answer
 * with chardriver_reply_task().
 */
#ifndef BULKHEAD_CHARDRIVER_H
#define BULKHEAD_CHARDRIVER_H

#include "libsys.h"

/* Returned by cdr_read / cdr_write: the request waits; the driver replies later. */
#define CHARDRIVER_SUSPEND (-997)

/* A read or write request: whose buffer (a grant of the client), how big, and its id. */
struct chardriver_req {
  endpoint_t endpt;     /* the client (VFS) */
  uint32_t id;          /* echoed in the reply */
  uint32_t minor;
  cp_grant_id_t grant;  /* CPF_READ for a write, CPF_WRITE for a read */
  uint32_t size;        /* bytes */
};

struct chardriver {
  /* At (re)start: finds and initialises the device, sets *tick_ticks (0: no tick). OK or an
   * error (the driver then exits with it). */
  int (*cdr_init)(uint32_t *tick_ticks);
  int (*cdr_open)(uint32_t minor, uint32_t access);
  int (*cdr_close)(uint32_t minor);
  /* The byte count done, CHARDRIVER_SUSPEND (the driver keeps *req and replies later), or an error. */
  ssize_t (*cdr_read)(const struct chardriver_req *req);
  ssize_t (*cdr_write)(const struct chardriver_req *req);
  /* OK or an error; a value asked for goes into *value. Unknown requests: -ENOTTY. */
  int (*cdr_ioctl)(uint32_t minor, uint32_t request, uint32_t arg, uint32_t *value);
  /* A HARDWARE notification; mask = m_notify.interrupts. */
  void (*cdr_intr)(uint32_t mask);
  /* The periodic tick (a CLOCK notification); may be NULL. */
  void (*cdr_tick)(void);
};

/* Initialises, announces, then serves requests forever. Exits if cdr_init fails. */
void chardriver_task(const struct chardriver *cdp) __attribute__((noreturn));

/* Answers a suspended request with `status` (a byte count or an error). */
void chardriver_reply(const struct chardriver_req *req, int status);

/* Copies between the client's grant (at offset off) and our memory. OK or the copy's error. */
int chardriver_copyin(const struct chardriver_req *req, uint32_t off, void *ptr, uint32_t size);
int chardriver_copyout(const struct chardriver_req *req, uint32_t off, const void *ptr, uint32_t size);

#endif
