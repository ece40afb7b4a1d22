/*
 * Read-only and nonexistent CSRs (privileged spec 2.1, 2.2; unprivileged 9.1).
 * Any instruction that writes a read-only CSR is illegal: csrrw/csrrwi always write (even with
 * rd = x0); csrrs/csrrc write unless rs1 = x0 (a register holding 0 still writes); csrrsi/csrrci
 * write unless uimm = 0. The trap leaves rd unchanged, and mtval holds the instruction bits.
 * Accessing a CSR that does not exist (no F, no H, no debug mode here) is illegal too.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* reads of read-only CSRs are fine */
    CASE(2);  li x13, -1; csrr x13, mhartid;          EXPECT(x13, 0)
    CASE(3);  li x13, -1; csrrc x13, mhartid, x0;     EXPECT(x13, 0)
    CASE(4);  li x13, -1; csrrsi x13, mhartid, 0;     EXPECT(x13, 0)
    CASE(5);  li x13, -1; csrrci x13, mhartid, 0;     EXPECT(x13, 0)
    CASE(6);  csrr x13, mvendorid; csrr x13, marchid; csrr x13, mimpid
    CASE(7);  csrr x13, cycle; csrr x13, instret; csrr x13, cycleh; csrr x13, instreth

    /* writes of machine read-only CSRs (address bits 11:10 = 11) */
    li x11, 0x1234
    li x12, 0
    li x14, -1
    li x13, 0x5555
    ILLEGAL_M(8,  csrw mhartid, x11)
    ILLEGAL_M(9,  csrrw x13, mhartid, x11)
    ILLEGAL_M(10, csrrw x13, mvendorid, x0)
    ILLEGAL_M(11, csrrs x13, marchid, x12)      /* rs1 holds 0 but is not x0: a write */
    ILLEGAL_M(12, csrrc x13, mimpid, x14)
    ILLEGAL_M(13, csrrwi x13, mhartid, 0)       /* csrrwi always writes */
    ILLEGAL_M(14, csrrsi x13, mhartid, 1)
    ILLEGAL_M(15, csrrci x13, mhartid, 1)
    CASE(16); EXPECT(x13, 0x5555)               /* no trapping instruction wrote rd */

    /* writes of the user-level counter shadows (read-only) */
    ILLEGAL_M(17, csrw cycle, x11)
    ILLEGAL_M(18, csrw instret, x11)
    ILLEGAL_M(19, csrw cycleh, x11)
    ILLEGAL_M(20, csrw instreth, x11)
    ILLEGAL_M(21, csrs cycle, x11)
    ILLEGAL_M(22, csrci instret, 1)
    ILLEGAL_M(23, csrw time, x11)

    /* CSRs that do not exist on this machine: fcsr (no F), hstatus (no H), dcsr (debug mode) */
    ILLEGAL_M(24, csrr x13, 0x003)
    ILLEGAL_M(25, csrw 0x001, x11)
    ILLEGAL_M(26, csrr x13, 0x600)
    ILLEGAL_M(27, csrr x13, 0x7b0)
    ILLEGAL_M(28, csrrs x13, 0x003, x0)
    CASE(29); EXPECT(x13, 0x5555)
BH_END
