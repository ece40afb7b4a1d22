/*
 * mstatus.TSR (trap sret, privileged spec 3.1.6.5): with TSR = 1, sret in S-mode is illegal
 * (to M, mtval = the instruction); in M it still works. With TSR = 0, sret in S works.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    li x11, MSTATUS_TSR
    csrs mstatus, x11
    CASE(2)
    GO_S
    LA_ABS(x11, 10f)
    csrw sepc, x11
    li x11, MSTATUS_SPP
    csrs sstatus, x11
    ILLEGAL_M(2, sret)
    EXPECT_FROM_MODE(1)
    j 11f
10: FAIL_NOW                        /* sret must not have happened */
11:
    /* M: sret works with TSR = 1 (to S here) */
    CASE(3)
    li x11, MSTATUS_SPP
    csrs mstatus, x11
    LA_ABS(x11, 12f)
    csrw sepc, x11
    ARM_M(13f)
    sret
    FAIL_NOW
12: ecall
13: EXPECT_MCAUSE(CAUSE_ECALL_S)

    /* TSR = 0: sret in S works */
    CASE(4)
    li x11, MSTATUS_TSR
    csrc mstatus, x11
    GO_S
    li x11, MSTATUS_SPP
    csrs sstatus, x11
    LA_ABS(x11, 14f)
    csrw sepc, x11
    sret
    FAIL_NOW
14: li x13, 0x14
    GO_UP
    EXPECT(x13, 0x14)
    EXPECT_FROM_MODE(1)
BH_END
