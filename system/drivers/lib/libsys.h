/*
 * libsys: the C library every bulkhead driver links against. It is the driver's only way out of
 * its address space: IPC (ipc_*), kernel calls (sys_*), memory grants (cpf_*), the data store
 * (ds_*), console output (printf, panic) and a few string helpers. Every function is a thin,
 * real function over the trap ABI of system/drivers/include/abi.h: one ecall with a0 = operation,
 * a1 = endpoint, a2 = message address; the status comes back in a0 (OK or a negative error).
 *
 * Conventions: functions return OK (0) or a negative MINIX error code (-EINVAL, -EPERM, ...)
 * unless stated otherwise; output parameters are written only on success.
 */
#ifndef BULKHEAD_LIBSYS_H
#define BULKHEAD_LIBSYS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

typedef int32_t ssize_t;

/* ---- IPC (ipc.c) ---- */
int _ipc_trap(int op, endpoint_t endpt, message *m);   /* the ecall stub (ipc_trap.S) */
int ipc_send(endpoint_t dst, message *m);
int ipc_receive(endpoint_t src, message *m);            /* src may be ANY; sets m->m_source */
int ipc_sendrec(endpoint_t dst, message *m);            /* the reply overwrites *m */
int ipc_notify(endpoint_t dst);
int ipc_sendnb(endpoint_t dst, message *m);             /* -ENOTREADY if dst is not receiving */
int _kernel_call(int type, message *m);                 /* sets m->m_type = type; reply in *m */

/* ---- Port I/O (devio.c): SYS_DEVIO, SYS_VDEVIO, SYS_SDEVIO ---- */
int sys_inb(uint32_t port, uint32_t *value);
int sys_inw(uint32_t port, uint32_t *value);
int sys_inl(uint32_t port, uint32_t *value);
int sys_outb(uint32_t port, uint32_t value);
int sys_outw(uint32_t port, uint32_t value);
int sys_outl(uint32_t port, uint32_t value);
int sys_vdevio(int request, pvb_pair_t *pairs, int n);  /* n <= VDEVIO_MAX; inputs fill .value */
int sys_insw(uint32_t port, void *buf, uint32_t count_words);
int sys_outsw(uint32_t port, const void *buf, uint32_t count_words);
int sys_insl(uint32_t port, void *buf, uint32_t count_longs);
int sys_outsl(uint32_t port, const void *buf, uint32_t count_longs);

/* ---- Copies through grants (safecopy.c) and this process's grant table (grant.c) ---- */
int sys_safecopyfrom(endpoint_t src, cp_grant_id_t grant, uint32_t offset, void *addr, uint32_t bytes);
int sys_safecopyto(endpoint_t dst, cp_grant_id_t grant, uint32_t offset, const void *addr, uint32_t bytes);
#define NR_GRANTS 32
int cpf_init(void);   /* registers the table (SYS_SETGRANT); done lazily by cpf_grant_direct */
cp_grant_id_t cpf_grant_direct(endpoint_t who, void *addr, uint32_t len, int access);
int cpf_revoke(cp_grant_id_t id);

/* ---- Interrupts (irq.c): SYS_IRQCTL. *hook_id: in = requested id, out = the kernel's hook id ---- */
int sys_irqsetpolicy(int irq, int policy, int *hook_id);
int sys_irqrmpolicy(int *hook_id);
int sys_irqenable(int *hook_id);
int sys_irqdisable(int *hook_id);

/* ---- Time, memory, information, exit (sysinfo.c) ---- */
int sys_setalarm(uint32_t ticks, int abs_time);   /* ticks 0 cancels; CLOCK notifies at expiry */
int sys_getuptime(uint64_t *ticks);
int sys_umap(void *vaddr, uint32_t size, uint32_t *paddr);   /* physical address, for DMA */
int sys_getinfo(int request, void *addr, uint32_t size);
int sys_whoami(endpoint_t *endpt, char *label, int len);
int sys_getparams(char *buf, int len);            /* boot parameters, NUL-terminated */
int sys_hz(void);                                 /* clock ticks per second, or a negative error */
void sys_exit(int status) __attribute__((noreturn));
int sys_diagctl(const char *text, uint32_t size); /* one console line; the kernel adds the label */

/* ---- Boot parameters (env.c): "key=value" words separated by blanks or commas ---- */
int env_get(const char *params, const char *key, char *value, int len);   /* OK or -ENOENT */
int env_get_u32(const char *params, const char *key, uint32_t *value);     /* OK, -ENOENT, -EINVAL */

/* ---- Console (printf.c) ---- */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- Data store (ds.c) ---- */
int ds_publish_u32(const char *key, uint32_t value, int flags);
int ds_retrieve_u32(const char *key, uint32_t *value);

/* ---- What every driver framework shares (driver.c) ---- */
int driver_announce(const char *prefix, const char *label);   /* DS: "<prefix><label>" = DS_DRIVER_UP */
void driver_heartbeat(void);                                   /* answers an RS ping (a notification) */

/* ---- Strings (string.c): the compiler may also call memcpy/memset for struct copies ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
