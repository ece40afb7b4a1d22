/*
 * What every driver framework does the same way (blockdriver.c, netdriver.c): announcing the
 * driver in DS once it is initialised, and answering the heartbeat pings of RS.
 */
#include "libsys.h"

/*
 * Publishes "<prefix><label>" = DS_DRIVER_UP (overwriting the entry of an earlier incarnation),
 * which tells the driver's clients it is (again) ready. OK, -EINVAL for a key too long for DS,
 * or DS's error (printed: a driver that cannot announce itself still serves whoever finds it).
 */
int driver_announce(const char *prefix, const char *label)
{
  char key[32];
  int r;

  if (snprintf(key, sizeof(key), "%s%s", prefix, label) >= (int)sizeof(key)) return -EINVAL;
  r = ds_publish_u32(key, DS_DRIVER_UP, DSF_OVERWRITE);
  if (r != OK) printf("warning: cannot announce %s in DS: %d\n", key, r);
  return r;
}

/* Answers an RS heartbeat: RS pings with a notification, the answer is a notification. */
void driver_heartbeat(void)
{
  int r = ipc_notify(RS_PROC_NR);

  if (r != OK) printf("heartbeat reply to RS failed: %d\n", r);
}
