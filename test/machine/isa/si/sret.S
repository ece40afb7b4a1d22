/*
 * sret (privileged spec 3.3.2): pc := sepc; mode := SPP; SIE := SPIE; SPIE := 1; SPP := U;
 * and, as the new mode is never M, MPRV := 0. Legal in S (TSR = 0) and in M; illegal in U.
 */
#include "bh_env.h"
#include "bh_test.h"

#define SET_SSTATUS(mask, bits) li x11, mask; csrc sstatus, x11; li x11, bits; csrs sstatus, x11

BH_BEGIN
    /* in S, SPP = S, SPIE = 1: back in S with SIE = 1, SPIE = 1, SPP = U */
    CASE(2)
    GO_S
    SET_SSTATUS(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE)
    LA_ABS(x11, 10f)
    csrw sepc, x11
    sret
    FAIL_NOW
10: csrr x13, sstatus
    GO_UP
    EXPECT_BITS(x13, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE | MSTATUS_SIE)
    EXPECT_FROM_MODE(1)             /* the climbing ecall came from S */
    csrci mstatus, MSTATUS_SIE

    /* SPIE = 0: SIE = 0 afterwards */
    CASE(3)
    GO_S
    SET_SSTATUS(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SIE)
    LA_ABS(x11, 11f)
    csrw sepc, x11
    sret
    FAIL_NOW
11: csrr x13, sstatus
    GO_UP
    EXPECT_BITS(x13, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE)

    /* SPP = U: to U (an ecall there is cause 8) */
    CASE(4)
    GO_S
    SET_SSTATUS(MSTATUS_SPP, 0)
    LA_ABS(x11, 12f)
    csrw sepc, x11
    ARM_M(13f)
    sret
    FAIL_NOW
12: ecall
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT_MEPC(12b)
    EXPECT_FROM_MODE(0)

    /* sret executed in M: to SPP (S here); MPRV cleared */
    CASE(5)
    li x11, MSTATUS_MPRV | MSTATUS_MPP_M   /* MPRV with MPP = M changes nothing for M */
    csrs mstatus, x11
    SET_SSTATUS(MSTATUS_SPP, MSTATUS_SPP)
    LA_ABS(x11, 14f)
    csrw sepc, x11
    ARM_M(15f)
    sret
    FAIL_NOW
14: ecall
    FAIL_NOW
15: EXPECT_MCAUSE(CAUSE_ECALL_S)
    EXPECT_MEPC(14b)
    EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MPRV, 0)

    /* sepc low bits: sret goes to sepc exactly (aligned) */
    CASE(6)
    GO_S
    SET_SSTATUS(MSTATUS_SPP, MSTATUS_SPP)
    li x13, 0
    LA_ABS(x11, 17f)
    csrw sepc, x11
    sret
16: addi x13, x13, 1
17: addi x13, x13, 2
    GO_UP
    EXPECT(x13, 2)

    /* sret in U: illegal */
    CASE(7)
    GO_U
    ILLEGAL_M(7, sret)
    EXPECT_FROM_MODE(0)
BH_END
