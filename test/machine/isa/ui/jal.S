/*
 * jal: rd = pc + 4; pc = pc + sext(imm21). The offset is a multiple of 2 (here 4: no C
 * extension); misaligned targets trap: mi/ma_fetch.S. Expected links are built with lui/addi.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* forward, with link in ra */
    CASE(2)
    jal x1, 10f
11: FAIL_NOW
10: EXPECT_LA(x1, 11b)

    /* backward */
    CASE(3)
    j 13f
12: EXPECT_LA(x1, 14f)
    j 15f
13: jal x1, 12b
14: FAIL_NOW
15:

    /* other link registers; x0 (a plain jump: the link is discarded) */
    CASE(4)
    jal x29, 16f
17: FAIL_NOW
16: EXPECT_LA(x29, 17b)
    CASE(5)
    jal x13, 18f
19: FAIL_NOW
18: EXPECT_LA(x13, 19b)
    CASE(6)
    jal x0, 20f
    FAIL_NOW
20: EXPECT(x0, 0)

    /* the instructions skipped are not executed */
    CASE(7)
    li x13, 0
    jal x0, 21f
    addi x13, x13, 1
    addi x13, x13, 2
21: addi x13, x13, 4
    EXPECT(x13, 4)

    /* the link is usable at once; jal to the next instruction */
    CASE(8)
    jal x13, 22f
22: addi x14, x13, 0
    EXPECT_LA(x14, 22b)

    /* call and return */
    CASE(9)
    li x13, 0
    jal ra, add_one
    jal ra, add_one
    EXPECT(x13, 2)

    /* far jumps (offset bits 11 and above, both signs): more than 64 KiB each way */
    CASE(10)
    jal x1, 24f
23: FAIL_NOW
    .skip 0x11000
24: EXPECT_LA(x1, 23b)
    j 26f
25: EXPECT_LA(x1, 27f)
    j 28f
    .skip 0x10800
26: jal x1, 25b
27: FAIL_NOW
28:
BH_END

    .text
add_one:
    addi x13, x13, 1
    ret
