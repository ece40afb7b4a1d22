/*
 * mstatus.TW (timeout wait, privileged spec 3.1.6.5): with TW = 1, wfi in S-mode (or U-mode)
 * raises an illegal-instruction exception (to M, mtval = the instruction), here immediately
 * (the time limit is allowed to be 0). With TW = 0, wfi in S is allowed: it returns once an
 * enabled interrupt is pending (a delegated supervisor timer interrupt, with sstatus.SIE = 0,
 * so no trap is taken).
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    li x11, MSTATUS_TW
    csrs mstatus, x11

    CASE(2)
    GO_S
    ILLEGAL_M(2, wfi)
    EXPECT_FROM_MODE(1)
    CASE(3)
    GO_U
    ILLEGAL_M(3, wfi)
    EXPECT_FROM_MODE(0)

    /* TW = 1 does not affect M */
    CASE(4)
    li x11, MIP_MSIP
    csrw mie, x11
    SET_MSIP(1)
    WAIT_CSR_SET(mip, MIP_MSIP)
    wfi
    SET_MSIP(0)
    WAIT_CSR_CLEAR(mip, MIP_MSIP)
    csrw mie, zero

    /* TW = 0: wfi in S waits for (here: finds) a pending enabled interrupt */
    CASE(5)
    li x11, MSTATUS_TW
    csrc mstatus, x11
    li x11, MIP_STIP
    csrw mideleg, x11
    csrw mie, x11
    csrs mip, x11
    GO_S
    csrci sstatus, MSTATUS_SIE
    wfi
    csrr x13, sip
    GO_UP
    EXPECT_BITS(x13, MIP_STIP, MIP_STIP)
    li x11, MIP_STIP
    csrc mip, x11
    csrw mie, zero
    csrw mideleg, zero
BH_END
