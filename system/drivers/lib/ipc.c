/*
 * IPC primitives: MINIX's send, receive, sendrec, notify and sendnb, and the kernel-call trap.
 * Each is one trap (see ipc_trap.S); the kernel does the work and returns OK or a negative error
 * (-EDEADSRCDST when the partner died, -ECALLDENIED when the send mask forbids it, ...).
 */
#include "libsys.h"

/* Sends *m to dst and blocks until dst receives it. */
int ipc_send(endpoint_t dst, message *m)
{
  return _ipc_trap(IPC_SEND, dst, m);
}

/* Blocks until a message from src (or ANY) arrives in *m; m->m_source names the sender. */
int ipc_receive(endpoint_t src, message *m)
{
  return _ipc_trap(IPC_RECEIVE, src, m);
}

/* Sends *m to dst and waits for dst's reply, which overwrites *m. */
int ipc_sendrec(endpoint_t dst, message *m)
{
  return _ipc_trap(IPC_SENDREC, dst, m);
}

/* Non-blocking notification of dst (coalesced with any pending one from us). */
int ipc_notify(endpoint_t dst)
{
  return _ipc_trap(IPC_NOTIFY, dst, NULL);
}

/* Sends *m only if dst is waiting for it now; else -ENOTREADY. */
int ipc_sendnb(endpoint_t dst, message *m)
{
  return _ipc_trap(IPC_SENDNB, dst, m);
}

/*
 * Kernel call `type` with the arguments in *m. The kernel writes its reply fields into *m and
 * returns the status (also left in m->m_type).
 */
int _kernel_call(int type, message *m)
{
  m->m_type = type;
  return _ipc_trap(IPC_KERNEL_CALL, SYSTEM, m);
}
