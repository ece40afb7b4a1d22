/*
 * WARL fields of machine CSRs keep only legal values:
 * mepc/sepc: with IALIGN = 32 the two low bits read as zero (privileged spec 3.1.14);
 * mtvec: MODE >= 2 is reserved, reads back as 0 or 1; vectored mode (1) is supported here;
 * mstatus.MPP: 2 (no H) is not a legal mode and never reads back.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    CASE(2); li x11, 0x80001003; csrw mepc, x11; csrr x13, mepc; EXPECT(x13, 0x80001000)
    CASE(3); li x11, 0x80001002; csrw mepc, x11; csrr x13, mepc; EXPECT(x13, 0x80001000)
    CASE(4); li x11, 0x80001001; csrw mepc, x11; csrr x13, mepc; EXPECT(x13, 0x80001000)
    CASE(5); li x11, 0x80001003; csrw sepc, x11; csrr x13, sepc; EXPECT(x13, 0x80001000)

    /* vectored mode reads back */
    CASE(6)
    la x11, wvec
    ori x12, x11, 1
    csrw mtvec, x12
    csrr x13, mtvec
    EXPECT_REG(x13, x12)
    /* reserved mode 2: reads back as a legal mode */
    CASE(7)
    ori x12, x11, 2
    csrw mtvec, x12
    csrr x13, mtvec
    EXPECT_BITS(x13, 2, 0)
    la x11, bh_mtrap
    csrw mtvec, x11

    /* MPP = 2 is not kept */
    CASE(8)
    li x11, MSTATUS_MPP
    csrc mstatus, x11
    li x11, 0x1000              /* MPP = 2 */
    csrs mstatus, x11
    csrr x13, mstatus
    li x12, MSTATUS_MPP
    and x13, x13, x12
    li x12, 0x1000
    bne x13, x12, 10f
    FAIL_NOW
10: li x11, MSTATUS_MPP
    csrc mstatus, x11

    /* MPP legal values are kept: U, S, M */
    CASE(9)
    li x11, MSTATUS_MPP_S
    csrs mstatus, x11
    EXPECT_CSR_BITS(mstatus, MSTATUS_MPP, MSTATUS_MPP_S)
    li x11, MSTATUS_MPP_M
    csrs mstatus, x11
    EXPECT_CSR_BITS(mstatus, MSTATUS_MPP, MSTATUS_MPP_M)
    li x11, MSTATUS_MPP
    csrc mstatus, x11
    EXPECT_CSR_BITS(mstatus, MSTATUS_MPP, 0)
BH_END

    .text
    .balign 256
wvec: j wvec
