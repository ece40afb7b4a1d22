/*
 * lui: rd = imm20 << 12; the low 12 bits of rd become zero.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* immediates: zero, one, the sign bit, all ones, the largest positive */
    CASE(2);  lui x13, 0;       EXPECT(x13, 0x00000000)
    CASE(3);  lui x13, 1;       EXPECT(x13, 0x00001000)
    CASE(4);  lui x13, 0x80000; EXPECT(x13, 0x80000000)
    CASE(5);  lui x13, 0xfffff; EXPECT(x13, 0xfffff000)
    CASE(6);  lui x13, 0x7ffff; EXPECT(x13, 0x7ffff000)
    CASE(7);  lui x13, 0x12345; EXPECT(x13, 0x12345000)
    CASE(8);  lui x13, 0xaaaaa; EXPECT(x13, 0xaaaaa000)

    /* the low 12 bits are cleared, not kept */
    CASE(9);  li x13, -1; lui x13, 0x55555; EXPECT(x13, 0x55555000)

    /* lui + addi builds any constant (addi's immediate is signed: a carry into the upper part) */
    CASE(10); lui x13, 0x12345; addi x13, x13, 0x678;  EXPECT(x13, 0x12345678)
    CASE(11); lui x13, 0x12346; addi x13, x13, -0x788; EXPECT(x13, 0x12345878)
    CASE(12); lui x13, 0x80000; addi x13, x13, -1;     EXPECT(x13, 0x7fffffff)

    /* arithmetic shift right of the result: the sign bit really is bit 31 */
    CASE(13); lui x13, 0x80000; srai x13, x13, 12;     EXPECT(x13, 0xfff80000)
    CASE(14); lui x13, 0x7ffff; srai x13, x13, 12;     EXPECT(x13, 0x0007ffff)

    /* other destination registers; x0 as the destination */
    CASE(15); lui x1, 0xabcde;  EXPECT(x1, 0xabcde000)
    CASE(16); lui x29, 0x00fff; EXPECT(x29, 0x00fff000)
    CASE(17); lui x0, 0xfffff;  EXPECT(x0, 0)

    /* bypass: the result consumed 0, 1, 2 instructions later */
    CASE(18); lui x13, 0x13579; addi x14, x13, 0;           EXPECT(x14, 0x13579000)
    CASE(19); lui x13, 0x2468a; nop; addi x14, x13, 0;      EXPECT(x14, 0x2468a000)
    CASE(20); lui x13, 0xfedcb; nop; nop; addi x14, x13, 0; EXPECT(x14, 0xfedcb000)
BH_END
