/*
 * The network-driver framework (after MINIX 3.4's libnetdriver): a driver fills in a struct
 * netdriver with its callbacks and calls netdriver_task(), which initialises the card, announces
 * the driver in DS as "drv.net.<label>", then receives messages forever and dispatches them.
 *
 * The protocol (abi.h, "Network-driver protocol"): NDEV_INIT, NDEV_CONF, NDEV_SEND, NDEV_RECV and
 * NDEV_GETSTAT, each answered with m_type = request + NDEV_REPLY_BIT and m_ndev_reply.{status, id}.
 * Sends and receives the driver cannot complete at once wait in the framework (up to
 * NDEV_PENDING_MAX of each, in arrival order) and are answered when the driver calls
 * netdriver_send() / netdriver_recv() after its device made progress (an interrupt).
 *
 * Differences from MINIX, as the ABI defines them: a request before the first NDEV_INIT gets
 * -ENOTREADY (MINIX drops it without a reply); a request the queues cannot hold gets -EBUSY
 * (MINIX panics); a copy through a bad grant fails that request (MINIX panics).
 */
#ifndef BULKHEAD_NETDRIVER_H
#define BULKHEAD_NETDRIVER_H

#include "libsys.h"

#define ETH_ADDR_LEN 6

/* Returned by ndr_send / ndr_recv: the device cannot take / has no frame now; try again later. */
#define NETDRIVER_SUSPEND (-998)

/* A send or receive request: whose buffer (a grant of the client), how big, and its id. */
struct netdriver_data {
  endpoint_t endpt;     /* the client */
  uint32_t id;          /* echoed in the reply */
  cp_grant_id_t grant;  /* CPF_READ for a send, CPF_WRITE for a receive */
  uint32_t size;        /* frame length (send) or buffer size (receive), in bytes */
};

struct netdriver {
  /*
   * Finds and initialises the card at (re)start: writes its MAC address into hwaddr and the
   * period of ndr_tick in clock ticks into *tick_ticks (0: no tick). OK, or a negative error
   * (the driver then exits with it: a card that is not there cannot be served).
   */
  int (*ndr_init)(uint8_t hwaddr[ETH_ADDR_LEN], uint32_t *tick_ticks);
  /* NDEV_INIT: resets the card to its initialised state (nothing in flight). OK or an error. */
  int (*ndr_reset)(void);
  /* Link state: 1 up, 0 down. */
  int (*ndr_link)(void);
  /* NDEV_CONF: the receive filters, NDEV_MODE_* bits. */
  void (*ndr_mode)(uint32_t mode);
  /*
   * Starts sending the frame of `data` (data->size bytes, NDEV_FRAME_MIN..NDEV_FRAME_MAX, to copy
   * in with netdriver_copyin). OK once the device has it, NETDRIVER_SUSPEND if it has no room
   * now, or a negative error for this request.
   */
  int (*ndr_send)(const struct netdriver_data *data);
  /*
   * Delivers one received frame into `data` (netdriver_copyout). Returns its length,
   * NETDRIVER_SUSPEND if no frame is waiting, 0 if it dropped a frame (called again), or a
   * negative error for this request.
   */
  ssize_t (*ndr_recv)(const struct netdriver_data *data);
  /* NDEV_GETSTAT: fills in the counters (zeroed before the call). */
  void (*ndr_stat)(ndev_stat *stat);
  /* A HARDWARE notification; mask = m_notify.interrupts (bit hook id per interrupting hook). */
  void (*ndr_intr)(uint32_t mask);
  /* The periodic tick (a CLOCK notification); may be NULL. */
  void (*ndr_tick)(void);
};

/* Initialises, announces, then serves requests forever. Exits if ndr_init fails. */
void netdriver_task(const struct netdriver *ndp) __attribute__((noreturn));

/* Handles one received message (a request or a notification). */
void netdriver_process(const struct netdriver *ndp, const message *m);

/* Resume the waiting sends / receives after the device made progress (from ndr_intr, ndr_tick). */
void netdriver_send(void);
void netdriver_recv(void);

/* Copies between the client's grant (at offset off) and our memory. OK or the copy's error. */
int netdriver_copyin(const struct netdriver_data *data, uint32_t off, void *ptr, uint32_t size);
int netdriver_copyout(const struct netdriver_data *data, uint32_t off, const void *ptr, uint32_t size);

/* Announces the driver in DS: "drv.net.<label>" = DS_DRIVER_UP. */
int netdriver_announce(const char *label);

#endif
