/*
 * ebreak: breakpoint exception, cause 3, mepc = the ebreak, mtval = its address (this machine
 * writes the faulting pc; the spec allows 0 or the pc). No register changes.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    CASE(2)
    li x11, 0x600d
    ARM_M(11f)
10: ebreak
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_BREAKPOINT)
    EXPECT_MEPC(10b)
    EXPECT_MTVAL_LA(10b)
    EXPECT_FROM_MODE(3)
    EXPECT(x11, 0x600d)

    /* a second one, elsewhere: the recorded pc follows */
    CASE(3)
    j 12f
    .skip 64
12: ARM_M(14f)
    nop
13: ebreak
    FAIL_NOW
14: EXPECT_MCAUSE(CAUSE_BREAKPOINT)
    EXPECT_MEPC(13b)
    EXPECT_MTVAL_LA(13b)

    /* ebreak and ecall are told apart */
    TRAP_M(4, CAUSE_ECALL_M, ecall)
    TRAP_M(5, CAUSE_BREAKPOINT, ebreak)
BH_END
