/*
 * sb: store the low byte of rs2.
 * Misaligned addresses trap on this machine: mi/ma_store.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* store, then load back with lbu */
    ST(2, sb, lbu, 0x00000000, 0x00000000, 0, st_buf)
    ST(3, sb, lbu, 0x000000ff, 0xffffffff, 1, st_buf)
    ST(4, sb, lbu, 0x00000078, 0x12345678, 2, st_buf)
    ST(5, sb, lbu, 0x00000000, 0x80000000, 3, st_buf)
    ST(6, sb, lbu, 0x000000ff, 0x7fffffff, 4, st_buf)
    ST(7, sb, lbu, 0x000000ef, 0xdeadbeef, 5, st_buf)
    ST(8, sb, lbu, 0x000000ff, 0x000000ff, 6, st_buf)
    ST(9, sb, lbu, 0x00000000, 0x0000ff00, 7, st_buf)
    ST(10, sb, lbu, 0x00000000, 0x00ff0000, 8, st_buf)
    ST(11, sb, lbu, 0x00000000, 0xff000000, 9, st_buf)
    ST(12, sb, lbu, 0x00000080, 0x00000080, 10, st_buf)
    ST(13, sb, lbu, 0x0000007f, 0x0000007f, 11, st_buf)
    ST(14, sb, lbu, 0x00000000, 0x00008000, 12, st_buf)
    ST(15, sb, lbu, 0x000000ff, 0x00007fff, 13, st_buf)
    ST(16, sb, lbu, 0x000000a5, 0x5a5aa5a5, 14, st_buf)

    /* negative offsets and the largest offsets */
    ST(17, sb, lbu, 0x000000fe, 0x0badcafe, -4, st_buf+16)
    ST(18, sb, lbu, 0x00000026, 0x31415926, -32, st_buf+32)
    ST(19, sb, lbu, 0x00000018, 0x27182818, 2047, st_buf+8-2047)
    ST(20, sb, lbu, 0x00000039, 0x16180339, -2048, st_buf+12+2048)

    /* only the addressed bytes change: fill a word pair with a pattern, store at each offset, read both words */
    ST_ONLY(21, sb, 0, 0xa5a5a5df)
    ST_ONLY(22, sb, 1, 0xa5a5dfa5)
    ST_ONLY(23, sb, 2, 0xa5dfa5a5)
    ST_ONLY(24, sb, 3, 0xdfa5a5a5)

    /* x0 as the value (stores zero); base = value register (stores the address) */
    CASE(25)
    la x11, st_buf
    li x12, -1
    sw x12, 0(x11)
    sb x0, 0(x11)
    lbu x13, 0(x11)
    EXPECT(x13, 0)
    CASE(26)
    la x11, st_buf+8
    sb x11, 0(x11)
    lbu x13, 0(x11)
    la x14, st_buf+8
    li x12, 0xff
    and x14, x14, x12
    EXPECT_REG(x13, x14)

    /* bypass: value and base produced just before the store; load right after */
    ST_FWD(27, sb, lbu, 0x00000044, 0x11223344, 0, st_buf, 0, 0)
    ST_FWD(28, sb, lbu, 0x00000045, 0x12233445, 4, st_buf, 0, 1)
    ST_FWD(29, sb, lbu, 0x00000046, 0x13243546, 8, st_buf, 0, 2)
    ST_FWD(30, sb, lbu, 0x00000047, 0x14253647, 12, st_buf, 1, 0)
    ST_FWD(31, sb, lbu, 0x00000048, 0x15263748, 16, st_buf, 1, 1)
    ST_FWD(32, sb, lbu, 0x00000049, 0x16273849, 20, st_buf, 2, 0)

    /* store then load in the next instruction through a different base register */
    CASE(33)
    la x11, st_buf
    addi x12, x11, 8
    li x13, 0x76543210
    sb x13, 8(x11)
    lbu x14, 0(x12)
    EXPECT(x14, 0x00000010)
BH_END

    .balign 64
    .space 64
st_buf:
    .space 64
