/*
 * fence.i: after stores to instruction memory, a fence.i makes the new instructions visible to
 * fetches on this hart (Zifencei). Self-modifying code: word, halfword and byte patches, code
 * that ran before the patch (warm in any decoded-instruction cache), patching back and forth.
 * The unused fields (imm, rs1, rd) are ignored: a fence.i with rd != 0 does not write rd.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* replace an instruction that has not run yet */
    CASE(2)
    li x13, 0
    la x11, smc_two
    lw x12, 0(x11)              /* addi x13, x0, 2 */
    la x11, 10f
    sw x12, 0(x11)
    fence.i
10: addi x13, x0, 1
    EXPECT(x13, 2)

    /* a function run several times, patched, run again, patched back */
    CASE(3)
    li x15, 3
11: jal ra, smc_fn
    EXPECT(x13, 3)
    addi x15, x15, -1
    bnez x15, 11b
    la x11, smc_four
    lw x12, 0(x11)              /* addi x13, x0, 4 */
    la x11, smc_fn
    sw x12, 0(x11)
    fence.i
    jal ra, smc_fn
    EXPECT(x13, 4)
    jal ra, smc_fn
    EXPECT(x13, 4)
    CASE(4)
    la x11, smc_three
    lw x12, 0(x11)
    la x11, smc_fn
    sw x12, 0(x11)
    fence.i
    jal ra, smc_fn
    EXPECT(x13, 3)

    /* byte patch: addi x13, x0, 5 (0x00500693) becomes addi x13, x0, 0x105 (0x10500693) */
    CASE(5)
    la x11, smc_fn5
    jal ra, smc_fn5
    EXPECT(x13, 5)
    li x12, 0x10
    sb x12, 3(x11)
    fence.i
    jal ra, smc_fn5
    EXPECT(x13, 0x105)

    /* halfword patch: the upper half 0x1050 becomes 0x7ff0: addi x13, x0, 0x7ff */
    CASE(6)
    li x12, 0x7ff0
    sh x12, 2(x11)
    fence.i
    jal ra, smc_fn5
    EXPECT(x13, 0x7ff)

    /* patch a loop body while the loop runs: each pass rewrites the next pass's increment */
    CASE(7)
    li x13, 0
    li x15, 0                   /* pass */
    la x11, 12f
    la x16, smc_incs
13: slli x17, x15, 2
    add x17, x16, x17
    lw x12, 0(x17)              /* the increment instruction for this pass */
    sw x12, 0(x11)
    fence.i
12: addi x13, x13, 0            /* patched: +1, +10, +100 */
    addi x15, x15, 1
    li x17, 3
    bne x15, x17, 13b
    EXPECT(x13, 111)

    /* fence.i with rd = x5, rs1 = x6, imm = 0x123: still a fence.i, rd not written */
    CASE(8)
    li x5, 0x1234
    la x11, smc_two
    lw x12, 0(x11)
    la x11, 14f
    sw x12, 0(x11)
    .word 0x1233108f            /* fence.i with imm = 0x123, rs1 = x6, rd = x5 */
14: addi x13, x0, 1
    EXPECT(x13, 2)
    EXPECT(x5, 0x1234)
BH_END

    /* instruction templates, as data */
smc_two:   addi x13, x0, 2
smc_three: addi x13, x0, 3
smc_four:  addi x13, x0, 4
smc_incs:  addi x13, x13, 1
           addi x13, x13, 10
           addi x13, x13, 100

    /* the patched functions live in .text (RAM: writable from M-mode) */
    .text
smc_fn:
    addi x13, x0, 3
    ret
smc_fn5:
    addi x13, x0, 5
    ret
