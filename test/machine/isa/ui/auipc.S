/*
 * auipc: rd = pc + (imm20 << 12), where pc is the address of the auipc itself; wraps modulo 2^32.
 * Expected values are built with lui/addi from link-time addresses, not with auipc.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* immediate 0: the address of the instruction */
    CASE(2)
10: auipc x13, 0
    EXPECT_LA(x13, 10b)

    /* positive, negative, sign-bit immediates */
    CASE(3)
11: auipc x13, 1
    LA_ABS(x14, 11b)
    li x12, 0x1000
    add x14, x14, x12
    EXPECT_REG(x13, x14)

    CASE(4)
12: auipc x13, 0xfffff
    LA_ABS(x14, 12b)
    li x12, -0x1000
    add x14, x14, x12
    EXPECT_REG(x13, x14)

    CASE(5)
13: auipc x13, 0x80000          /* pc + 0x80000000: wraps around */
    LA_ABS(x14, 13b)
    li x12, 0x80000000
    add x14, x14, x12
    EXPECT_REG(x13, x14)

    CASE(6)
14: auipc x13, 0x12345
    LA_ABS(x14, 14b)
    li x12, 0x12345000
    add x14, x14, x12
    EXPECT_REG(x13, x14)

    /* each auipc sees its own pc: two in a row differ by 4 */
    CASE(7)
    auipc x13, 0
    auipc x14, 0
    sub x14, x14, x13
    EXPECT(x14, 4)

    /* pc-relative addressing of a far label (%pcrel_hi / %pcrel_lo), as `la` does */
    CASE(8)
15: auipc x13, %pcrel_hi(far_word)
    addi x13, x13, %pcrel_lo(15b)
    EXPECT_LA(x13, far_word)
    lw x14, 0(x13)
    EXPECT(x14, 0x600dcafe)

    CASE(9)
16: auipc x13, %pcrel_hi(far_word)
    lw x14, %pcrel_lo(16b)(x13)
    EXPECT(x14, 0x600dcafe)

    /* other destinations; x0 as the destination */
    CASE(10)
17: auipc x1, 0
    EXPECT_LA(x1, 17b)
    CASE(11)
18: auipc x29, 0
    EXPECT_LA(x29, 18b)
    CASE(12)
    auipc x0, 0x12345
    EXPECT(x0, 0)

    /* bypass: the result consumed at once */
    CASE(13)
19: auipc x13, 0
    addi x14, x13, 8
    EXPECT_LA(x14, 19b+8)
BH_END

    .balign 4
    .space 8192
far_word: .word 0x600dcafe
