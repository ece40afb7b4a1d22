/*
 * jalr: t = (rs1 + sext(imm12)) & ~1; rd = pc + 4; pc = t. Bit 0 of the target is cleared;
 * the link is written after rs1 is read, so rd = rs1 works. Misaligned targets (bit 1 set)
 * trap: mi/ma_fetch.S. Expected links are built with lui/addi.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* offset 0, link in ra */
    CASE(2)
    LA_ABS(x11, 10f)
    jalr x1, 0(x11)
11: FAIL_NOW
10: EXPECT_LA(x1, 11b)

    /* positive and negative offsets, the largest of each sign */
    CASE(3)
    LA_ABS(x11, 12f-16)
    jalr x1, 16(x11)
    FAIL_NOW
12: CASE(4)
    LA_ABS(x11, 13f-2047)       /* an odd base: base + 2047 is the label exactly */
    jalr x1, 2047(x11)
    FAIL_NOW
13: CASE(5)
    LA_ABS(x11, 14f+2048)
    jalr x1, -2048(x11)
    FAIL_NOW
14:

    /* bit 0 of the target is cleared: odd base, odd offset */
    CASE(6)
    LA_ABS(x11, 15f)
    addi x11, x11, 1
    jalr x1, 0(x11)
    FAIL_NOW
15: CASE(7)
    LA_ABS(x11, 16f)
    jalr x1, 1(x11)
    FAIL_NOW
16: CASE(8)
    LA_ABS(x11, 17f-1)
    jalr x1, 2(x11)             /* target = label + 1: bit 0 dropped */
    FAIL_NOW
17:

    /* rd = rs1: the target comes from the old value */
    CASE(9)
    LA_ABS(x1, 18f)
    jalr x1, 0(x1)
19: FAIL_NOW
18: EXPECT_LA(x1, 19b)

    /* rd = x0 (a plain indirect jump); other registers */
    CASE(10)
    LA_ABS(x11, 20f)
    jalr x0, 0(x11)
    FAIL_NOW
20: EXPECT(x0, 0)
    EXPECT_LA(x11, 20b)         /* rs1 unchanged */
    CASE(11)
    LA_ABS(x28, 21f)
    jalr x29, 0(x28)
22: FAIL_NOW
21: EXPECT_LA(x29, 22b)

    /* skipped instructions are not executed */
    CASE(12)
    li x13, 0
    LA_ABS(x11, 23f)
    jalr x0, 0(x11)
    addi x13, x13, 1
    addi x13, x13, 2
23: addi x13, x13, 4
    EXPECT(x13, 4)

    /* bypass: the target produced just before, the link used just after */
    CASE(13)
    LA_ABS(x11, 24f)
    jalr x13, 0(x11)
25: FAIL_NOW
24: addi x14, x13, 0
    EXPECT_LA(x14, 25b)
    CASE(14)
    LA_ABS(x11, 26f)
    nop
    nop
    jalr x13, 0(x11)
    FAIL_NOW
26:

    /* call through a register and return with jalr x0, 0(ra) */
    CASE(15)
    li x13, 0
    LA_ABS(x12, add_two)
    jalr ra, 0(x12)
    jalr ra, 0(x12)
    EXPECT(x13, 4)

    /* a backward jump */
    CASE(16)
    j 28f
27: EXPECT_LA(x1, 29f)
    j 30f
28: LA_ABS(x11, 27b)
    jalr x1, 0(x11)
29: FAIL_NOW
30:
BH_END

    .text
add_two:
    addi x13, x13, 2
    jalr x0, 0(ra)
