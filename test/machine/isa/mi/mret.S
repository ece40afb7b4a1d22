/*
 * mret (privileged spec 3.3.2): pc := mepc; mode := MPP; MIE := MPIE; MPIE := 1;
 * MPP := U (the least-privileged mode, U being implemented); and if the new mode is not M,
 * MPRV := 0. Checked by returning to M, S and U and reading mstatus (in M) or trapping back
 * with ecall (from S: cause 9, from U: cause 8; the trap records MPP = the mode left).
 */
#include "bh_env.h"
#include "bh_test.h"

#define SET_MSTATUS(mask, bits) li x11, mask; csrc mstatus, x11; li x11, bits; csrs mstatus, x11

BH_BEGIN
    /* to M with MPIE = 1: MIE = 1, MPIE = 1, MPP = U */
    CASE(2)
    SET_MSTATUS(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_M)
    LA_ABS(x11, 10f)
    csrw mepc, x11
    mret
    FAIL_NOW
10: EXPECT_CSR_BITS(mstatus, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPIE)
    csrci mstatus, MSTATUS_MIE

    /* to M with MPIE = 0: MIE = 0, MPIE = 1 */
    CASE(3)
    SET_MSTATUS(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPP_M)
    LA_ABS(x11, 11f)
    csrw mepc, x11
    mret
    FAIL_NOW
11: EXPECT_CSR_BITS(mstatus, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE)

    /* mret jumps to mepc exactly, wherever that is */
    CASE(4)
    SET_MSTATUS(MSTATUS_MPP, MSTATUS_MPP_M)
    LA_ABS(x11, 13f)
    csrw mepc, x11
    li x13, 0
    mret
12: addi x13, x13, 1
13: addi x13, x13, 2
    EXPECT(x13, 2)

    /* to M: MPRV is kept */
    CASE(5)
    SET_MSTATUS(MSTATUS_MPP | MSTATUS_MPRV, MSTATUS_MPP_M | MSTATUS_MPRV)
    LA_ABS(x11, 14f)
    csrw mepc, x11
    mret
14: EXPECT_CSR_BITS(mstatus, MSTATUS_MPRV, MSTATUS_MPRV)
    li x11, MSTATUS_MPRV
    csrc mstatus, x11

    /* to U: an ecall there is cause 8, recorded MPP = U; MPRV was cleared by the mret;
       mepc of the ecall is the U-mode pc */
    CASE(6)
    SET_MSTATUS(MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_MPIE, MSTATUS_MPRV | MSTATUS_MPIE)
    LA_ABS(x11, 15f)
    csrw mepc, x11
    ARM_M(16f)
    mret
    FAIL_NOW
15: ecall
    FAIL_NOW
16: EXPECT_MCAUSE(CAUSE_ECALL_U)
    EXPECT_MEPC(15b)
    EXPECT_FROM_MODE(0)
    EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MPRV | MSTATUS_MPIE, MSTATUS_MPIE)

    /* to S: an ecall there is cause 9, recorded MPP = S; MPRV cleared */
    CASE(7)
    SET_MSTATUS(MSTATUS_MPP | MSTATUS_MPRV, MSTATUS_MPP_S | MSTATUS_MPRV)
    LA_ABS(x11, 17f)
    csrw mepc, x11
    ARM_M(18f)
    mret
    FAIL_NOW
17: ecall
    FAIL_NOW
18: EXPECT_MCAUSE(CAUSE_ECALL_S)
    EXPECT_MEPC(17b)
    EXPECT_FROM_MODE(1)
    EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MPRV, 0)

    /* in S, reading mstatus is illegal: the trap back records MPP = S */
    CASE(8)
    SET_MSTATUS(MSTATUS_MPP, MSTATUS_MPP_S)
    LA_ABS(x11, 19f)
    csrw mepc, x11
    ARM_M(20f)
    mret
19: csrr x13, mstatus          /* illegal in S: traps back to M with MPP = S */
    FAIL_NOW
20: EXPECT_MCAUSE(CAUSE_ILLEGAL)
    EXPECT_MEPC(19b)
    EXPECT_FROM_MODE(1)

    /* mret to U with MPIE = 1 sets MIE; a trap from U records it in MPIE */
    CASE(9)
    SET_MSTATUS(MSTATUS_MPP | MSTATUS_MPIE, MSTATUS_MPIE)
    LA_ABS(x11, 21f)
    csrw mepc, x11
    ARM_M(22f)
    mret                        /* to U with MIE := 1 (mie = 0: no interrupt can come) */
21: ecall
22: EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MPIE | MSTATUS_MIE, MSTATUS_MPIE)
BH_END
