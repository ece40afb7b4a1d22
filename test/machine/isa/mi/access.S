/*
 * Access faults: loads, stores and fetches at physical addresses where nothing is mapped
 * (0x1000, below the CLINT; 0xf0000000, far above RAM) raise load access fault (5), store
 * access fault (7) and instruction access fault (1). mepc = the load / store, or for a fetch
 * the faulting target itself; rd is not written by a faulting load; memory is unchanged.
 * mtval: this machine writes the faulting address; the spec also allows 0 (checked loosely).
 */
#include "bh_env.h"
#include "bh_test.h"

/* mtval is 0 or `reg` */
#define EXPECT_MTVAL_0_OR(reg) \
    LA_ABS(x30, bh_mrec); lw x30, BH_REC_TVAL(x30); beqz x30, 7f; mv x31, reg; BH_CMP; 7:

#define LOAD_FAULT(n, op, addr) \
    CASE(n); li x13, 0x5555; li x11, addr; ARM_M(8801f); 8800: op x13, 0(x11); FAIL_NOW; \
    8801: EXPECT_MCAUSE(CAUSE_LOAD_ACCESS); EXPECT_MEPC(8800b); EXPECT_MTVAL_0_OR(x11); \
    EXPECT(x13, 0x5555)
#define STORE_FAULT(n, op, addr) \
    CASE(n); li x13, 0x5555; li x11, addr; ARM_M(8801f); 8800: op x13, 0(x11); FAIL_NOW; \
    8801: EXPECT_MCAUSE(CAUSE_STORE_ACCESS); EXPECT_MEPC(8800b); EXPECT_MTVAL_0_OR(x11)

BH_BEGIN
    LOAD_FAULT(2, lw, 0x1000)
    LOAD_FAULT(3, lb, 0x1001)
    LOAD_FAULT(4, lhu, 0x1002)
    LOAD_FAULT(5, lw, 0xf0000000)
    LOAD_FAULT(6, lbu, 0x00000000)
    STORE_FAULT(7, sw, 0x1000)
    STORE_FAULT(8, sb, 0x1003)
    STORE_FAULT(9, sh, 0xf0000000)
    STORE_FAULT(10, sw, 0x00000000)

    /* fetch: jalr to 0x1000. The jalr itself completes (link written); the fetch at the
       target faults, so mepc = 0x1000 */
    CASE(11)
    li x11, 0x1000
    li x13, 0x5555
    ARM_M(11f)
10: jalr x13, 0(x11)
    FAIL_NOW
11: EXPECT_MCAUSE(CAUSE_FETCH_ACCESS)
    EXPECT_REC(bh_mrec, BH_REC_EPC, 0x1000)
    EXPECT_MTVAL_0_OR(x11)
    EXPECT_LA(x13, 10b+4)

    CASE(12)
    li x11, 0xf0000000
    ARM_M(12f)
    jalr x13, 0(x11)
    FAIL_NOW
12: EXPECT_MCAUSE(CAUSE_FETCH_ACCESS)
    EXPECT_REC(bh_mrec, BH_REC_EPC, 0xf0000000)
    EXPECT_MTVAL_0_OR(x11)

    /* mret to an unmapped address: the fetch there faults */
    CASE(13)
    li x11, 0x2000
    csrw mepc, x11
    li x11, MSTATUS_MPP
    csrs mstatus, x11           /* return to M */
    ARM_M(13f)
    mret
    FAIL_NOW
13: EXPECT_MCAUSE(CAUSE_FETCH_ACCESS)
    EXPECT_REC(bh_mrec, BH_REC_EPC, 0x2000)

    /* RAM still works after all that */
    CASE(14)
    la x11, acc_word
    lw x13, 0(x11)
    EXPECT(x13, 0x0ddba11)
BH_END

acc_word: .word 0x0ddba11
