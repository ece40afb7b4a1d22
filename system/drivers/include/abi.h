/*
 * The guest ABI of the bulkhead microkernel: endpoints, IPC traps, kernel calls, message
 * layouts, error codes and the protocols drivers speak. Modelled on MINIX 3 (<minix/com.h>,
 * <minix/ipc.h>, <minix/const.h>); the numbers follow MINIX where MINIX has one.
 *
 * system/kernel/abi.ts is the TypeScript mirror of this file; test/kernel/abi.test.ts checks that
 * every constant here has the same value there.
 */
#ifndef BULKHEAD_ABI_H
#define BULKHEAD_ABI_H

#include <stdint.h>

typedef int32_t endpoint_t;

/* ---- Endpoints. endpoint = (generation << ENDPOINT_GENERATION_SHIFT) + slot ---- */
#define ENDPOINT_GENERATION_SHIFT 15
#define ANY       0x7ace   /* receive from any process */
#define NONE      0x6ace   /* no process */
#define SELF      0x8ace   /* the caller itself */
#define IDLE      (-4)
#define CLOCK     (-3)     /* alarms: notifications from CLOCK */
#define SYSTEM    (-2)     /* kernel calls */
#define KERNEL    (-1)
#define HARDWARE  KERNEL   /* interrupts: notifications from HARDWARE */
#define RS_PROC_NR   0     /* reincarnation server */
#define DS_PROC_NR   1     /* data store */
#define VFS_PROC_NR  2     /* virtual file system */

/* ---- IPC: ecall with a0 = operation, a1 = endpoint, a2 = message address; a0 = status ---- */
#define IPC_SEND     1
#define IPC_RECEIVE  2
#define IPC_SENDREC  3
#define IPC_NOTIFY   4
#define IPC_SENDNB   5
#define IPC_KERNEL_CALL 6   /* a2 = message; m_type = call number; status in a0 and m_type */

/* ---- Messages: 64 bytes, fixed size ---- */
#define MESSAGE_SIZE 64
#define MESS_WORDS   14

typedef struct {
  endpoint_t m_source;          /* filled in by the kernel */
  int32_t m_type;
  union {
    uint32_t m_u32[MESS_WORDS];
    uint8_t m_u8[4 * MESS_WORDS];
    struct { uint32_t timestamp_lo, timestamp_hi, interrupts; } m_notify;
    struct { uint32_t minor, pos_lo, pos_hi, count, grant, id, flags, access; } m_bdev;   /* requests */
    struct { int32_t status; uint32_t id; } m_bdev_reply;
    struct { uint32_t port, value, request; } m_devio;
    struct { uint32_t vec_addr, vec_size, request; } m_vdevio;
    struct { uint32_t port, request, address, count; } m_sdevio;   /* count = items */
    struct { endpoint_t endpt; uint32_t grant, offset, address, bytes; } m_safecopy;
    struct { uint32_t request, irq, policy, hook_id; } m_irqctl;
    struct { uint32_t exp_lo, exp_hi, abs_time, left_lo, left_hi; } m_setalarm;
    struct { uint32_t request, address, size; endpoint_t endpt; } m_getinfo;
    struct { uint32_t vaddr, size, paddr; } m_umap;
    struct { uint32_t address, size; } m_setgrant;
    struct { uint32_t address, size; } m_diag;
    struct { int32_t status; } m_exit;
    struct { endpoint_t endpt; uint32_t request, arg; } m_privctl;
    struct { char key[32]; uint32_t value, flags; } m_ds;
    struct { uint32_t id, grant, count, mode; } m_ndev;                              /* requests */
    struct { int32_t status; uint32_t id, link, hwaddr_lo, hwaddr_hi; } m_ndev_reply;
    struct { uint32_t minor, id, grant, count, access, request, arg; } m_cdev;             /* requests */
    struct { int32_t status; uint32_t id, value; } m_cdev_reply;
  };
} message;

/* Notifications carry m_type = NOTIFY_MESSAGE and m_source = the notifier. */
#define NOTIFY_MESSAGE 0x1000

/* ---- Kernel calls (m_type of an IPC_KERNEL_CALL message), MINIX numbering ---- */
#define KERNEL_CALL      0x600
#define SYS_PRIVCTL      (KERNEL_CALL + 4)
#define SYS_UMAP         (KERNEL_CALL + 14)
#define SYS_IRQCTL       (KERNEL_CALL + 19)
#define SYS_DEVIO        (KERNEL_CALL + 21)
#define SYS_SDEVIO       (KERNEL_CALL + 22)   /* a string of port I/O to/from caller memory */
#define SYS_VDEVIO       (KERNEL_CALL + 23)
#define SYS_SETALARM     (KERNEL_CALL + 24)
#define SYS_GETINFO      (KERNEL_CALL + 26)
#define SYS_SAFECOPYFROM (KERNEL_CALL + 31)
#define SYS_SAFECOPYTO   (KERNEL_CALL + 32)
#define SYS_SETGRANT     (KERNEL_CALL + 34)
#define SYS_DIAGCTL      (KERNEL_CALL + 44)
#define SYS_EXIT         (KERNEL_CALL + 53)
#define NR_SYS_CALLS     64   /* call numbers are KERNEL_CALL + 0 .. KERNEL_CALL + 63 */

/* SYS_DEVIO / SYS_VDEVIO request: direction | size */
#define _DIO_INPUT   0x001
#define _DIO_OUTPUT  0x002
#define _DIO_BYTE    0x010
#define _DIO_WORD    0x020
#define _DIO_LONG    0x030
#define DIO_INPUT_BYTE   (_DIO_INPUT | _DIO_BYTE)
#define DIO_INPUT_WORD   (_DIO_INPUT | _DIO_WORD)
#define DIO_INPUT_LONG   (_DIO_INPUT | _DIO_LONG)
#define DIO_OUTPUT_BYTE  (_DIO_OUTPUT | _DIO_BYTE)
#define DIO_OUTPUT_WORD  (_DIO_OUTPUT | _DIO_WORD)
#define DIO_OUTPUT_LONG  (_DIO_OUTPUT | _DIO_LONG)
#define VDEVIO_MAX 16   /* pairs per SYS_VDEVIO */
typedef struct { uint32_t port, value; } pvb_pair_t;   /* SYS_VDEVIO vector element */

/* SYS_IRQCTL requests and policy */
#define IRQ_SETPOLICY 1
#define IRQ_RMPOLICY  2
#define IRQ_ENABLE    3
#define IRQ_DISABLE   4
#define IRQ_REENABLE  0x001   /* policy: re-enable the line at once after each interrupt */

/* SYS_GETINFO requests */
#define GET_WHOAMI  1   /* address/size: buffer for struct whoami_info */
#define GET_UPTIME  2   /* address: 8 bytes, ticks */
#define GET_PARAMS  3   /* address/size: the boot parameters of the caller, NUL-terminated */
#define GET_HZ      4   /* address: 4 bytes */
typedef struct { endpoint_t endpt; uint32_t priv_flags; char label[16]; } whoami_info;

/* SYS_PRIVCTL requests (RS only) */
#define SYS_PRIV_ALLOW 1

/* ---- Memory grants (in the granter's memory, registered with SYS_SETGRANT) ---- */
typedef int32_t cp_grant_id_t;
#define GRANT_INVALID (-1)
#define CPF_READ   0x001   /* grantee may read */
#define CPF_WRITE  0x002   /* grantee may write */
#define CPF_USED   0x100   /* slot in use */
#define CPF_VALID  0x200   /* grant is valid */
typedef struct {
  uint32_t cp_flags;
  endpoint_t cp_who_to;   /* grantee, or ANY */
  uint32_t cp_start;      /* granter's virtual address */
  uint32_t cp_len;
} cp_grant_t;             /* 16 bytes */

/* ---- Block-device protocol (MINIX libblockdriver) ---- */
#define BDEV_RQ_BASE 0x400
#define BDEV_OPEN   (BDEV_RQ_BASE + 0)
#define BDEV_CLOSE  (BDEV_RQ_BASE + 1)
#define BDEV_READ   (BDEV_RQ_BASE + 2)
#define BDEV_WRITE  (BDEV_RQ_BASE + 3)
#define BDEV_REPLY  (BDEV_RQ_BASE + 0x80)
#define BDEV_R_BIT  0x01   /* open access */
#define BDEV_W_BIT  0x02

/* ---- Character-device protocol (after MINIX libchardriver's CDEV_* requests) ----
 * VFS is the only client. Every request carries m_cdev.minor and m_cdev.id, which the reply
 * (m_type CDEV_REPLY) echoes; m_cdev_reply.status is OK, a byte count or a negative error.
 *   CDEV_OPEN   access (CDEV_R_BIT | CDEV_W_BIT)   reply OK, -EBUSY (one open per minor), -ENXIO
 *   CDEV_CLOSE  -                                  reply OK
 *   CDEV_READ   grant (CPF_WRITE), count           reply the byte count (may come later)
 *   CDEV_WRITE  grant (CPF_READ), count            reply the byte count, once the data is taken
 *                                                  (a driver may suspend it and reply later)
 *   CDEV_IOCTL  request, arg                       reply OK (or the value asked for in
 *                                                  m_cdev_reply.value), -ENOTTY if unknown
 * Ioctl arguments travel inline (one 32-bit word each way), not through a grant as in MINIX.
 * A driver announces itself in DS as "drv.chr.<label>" = DS_DRIVER_UP once initialised. */
#define CDEV_RQ_BASE 0x500
#define CDEV_OPEN    (CDEV_RQ_BASE + 0)
#define CDEV_CLOSE   (CDEV_RQ_BASE + 1)
#define CDEV_READ    (CDEV_RQ_BASE + 2)
#define CDEV_WRITE   (CDEV_RQ_BASE + 3)
#define CDEV_IOCTL   (CDEV_RQ_BASE + 4)
#define CDEV_REPLY   (CDEV_RQ_BASE + 0x80)
#define CDEV_R_BIT   0x01
#define CDEV_W_BIT   0x02
/* Audio ioctls (after MINIX <sys/ioc_sound.h>; arguments inline). Volumes are levels 0..31 per
 * side, packed left | right << 8, as MIXIOSETVOLUME's struct volume_level carries them. */
#define DSPIORATE       0x01   /* arg: frames per second (4000..48000) */
#define DSPIOSTEREO     0x02   /* arg: 0 mono, 1 stereo */
#define DSPIOBITS       0x03   /* arg: 8 or 16 */
#define DSPIOSIZE       0x04   /* arg: fragment size in bytes (the size every write must have) */
#define MIXIOSETVOLUME  0x10   /* arg: master volume, left | right << 8 */
#define MIXIOGETVOLUME  0x11   /* reply value: master volume, left | right << 8 */

/* ---- Network-driver protocol (after MINIX 3.4 libnetdriver's NDEV_* requests) ----
 * The network server is the only client. Every request carries m_ndev.id, which the reply echoes;
 * the reply's m_type is the request's + NDEV_REPLY_BIT and m_ndev_reply.status is OK, a byte
 * count or a negative error.
 *   NDEV_INIT     -                         reset the card; reply: link (1 up), MAC in hwaddr_lo
 *                                           (bytes 0-3, byte 0 lowest) and hwaddr_hi (bytes 4-5)
 *   NDEV_CONF     mode (NDEV_MODE_*)        receive filters; reply OK
 *   NDEV_SEND     grant (CPF_READ), count   one frame without CRC (NDEV_FRAME_MIN..NDEV_FRAME_MAX
 *                                           bytes); the reply (count) comes when the frame is in a
 *                                           transmit slot, later when every slot is busy
 *   NDEV_RECV     grant (CPF_WRITE), count  a buffer of count bytes; the reply (the frame's length,
 *                                           CRC stripped) comes when a frame has arrived
 *   NDEV_GETSTAT  grant (CPF_WRITE), count  struct ndev_stat copied out; reply OK
 * A driver keeps at most NDEV_PENDING_MAX sends and as many receives waiting; more get -EBUSY.
 * Requests other than NDEV_INIT before the first NDEV_INIT after a (re)start get -ENOTREADY. A
 * driver announces itself in DS as "drv.net.<label>" = DS_DRIVER_UP once initialised. */
#define NDEV_RQ_BASE    0xd00
#define NDEV_INIT       (NDEV_RQ_BASE + 0)
#define NDEV_CONF       (NDEV_RQ_BASE + 1)
#define NDEV_SEND       (NDEV_RQ_BASE + 2)
#define NDEV_RECV       (NDEV_RQ_BASE + 3)
#define NDEV_GETSTAT    (NDEV_RQ_BASE + 4)
#define NDEV_REPLY_BIT  0x80
#define NDEV_MODE_UNICAST   0x01   /* frames to our MAC */
#define NDEV_MODE_BROADCAST 0x02
#define NDEV_MODE_MULTICAST 0x04
#define NDEV_MODE_PROMISC   0x08
#define NDEV_FRAME_MIN  60         /* Ethernet minimum without CRC: the sender pads */
#define NDEV_FRAME_MAX  1514
#define NDEV_PENDING_MAX 8
typedef struct {
  uint32_t rx_frames, rx_bytes, rx_crc_errors, rx_size_errors, rx_overruns;
  uint32_t tx_frames, tx_bytes, tx_errors, tx_timeouts, resets;
} ndev_stat;                  /* 40 bytes */

/* ---- Data store (DS) protocol ----
 * Requests are a sendrec to DS_PROC_NR with m_ds.key = the key inline (NUL-terminated, at most
 * 31 characters), and for DS_PUBLISH m_ds.value = the value, m_ds.flags = DSF_* flags.
 * Reply: m_type = DS_REPLY, m_ds.flags = OK or a negative error, m_ds.value = the value (for
 * DS_RETRIEVE). A failed sendrec (e.g. -EDEADSRCDST: no DS) is the caller's error. */
#define DS_RQ_BASE    0xb00
#define DS_PUBLISH    (DS_RQ_BASE + 0)
#define DS_RETRIEVE   (DS_RQ_BASE + 1)
#define DS_SUBSCRIBE  (DS_RQ_BASE + 2)
#define DS_CHECK      (DS_RQ_BASE + 3)
#define DS_DELETE     (DS_RQ_BASE + 4)   /* the owner deletes its key */
#define DS_DROP_OWNER (DS_RQ_BASE + 5)   /* RS only: key = a label; every entry it owns is deleted */
#define DS_REPLY      (DS_RQ_BASE + 0x80)
#define DSF_OVERWRITE 0x01
#define DS_DRIVER_UP  1

/* ---- Error codes (returned negated, as MINIX does) ---- */
#define OK           0
#define EPERM        1
#define ENOENT       2
#define EINTR        4
#define EIO          5
#define ENXIO        6
#define E2BIG        7
#define EAGAIN      11
#define ENOMEM      12
#define EFAULT      14
#define EBUSY       16
#define EEXIST      17
#define EINVAL      22
#define ENOTTY      25
#define ENOSPC      28
#define EPIPE       32
#define ENOSYS      71
#define ECONNRESET  104
#define ENOTCONN    107
#define ETIMEDOUT   110
#define ECONNREFUSED 111
#define ERESTART    200
#define ENOTREADY   201
#define EDEADSRCDST 202
#define EBADSRCDST  203
#define ECALLDENIED 210
#define ELOCKED     208
#define ETRAPDENIED 211
#define EBADREQUEST 212

/* ---- Driver virtual memory layout (the same in every build) ---- */
#define DRIVER_TEXT_BASE 0x00400000   /* link address of every driver image */
#define DRIVER_STACK_TOP 0x00800000   /* stack grows down from here */
#define DRIVER_STACK_SIZE 0x10000

#endif
