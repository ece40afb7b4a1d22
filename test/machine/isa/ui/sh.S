/*
 * sh: store the low halfword of rs2 (little endian).
 * Misaligned addresses trap on this machine: mi/ma_store.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* store, then load back with lhu */
    ST(2, sh, lhu, 0x00000000, 0x00000000, 0, st_buf)
    ST(3, sh, lhu, 0x0000ffff, 0xffffffff, 2, st_buf)
    ST(4, sh, lhu, 0x00005678, 0x12345678, 4, st_buf)
    ST(5, sh, lhu, 0x00000000, 0x80000000, 6, st_buf)
    ST(6, sh, lhu, 0x0000ffff, 0x7fffffff, 8, st_buf)
    ST(7, sh, lhu, 0x0000beef, 0xdeadbeef, 10, st_buf)
    ST(8, sh, lhu, 0x000000ff, 0x000000ff, 12, st_buf)
    ST(9, sh, lhu, 0x0000ff00, 0x0000ff00, 14, st_buf)
    ST(10, sh, lhu, 0x00000000, 0x00ff0000, 16, st_buf)
    ST(11, sh, lhu, 0x00000000, 0xff000000, 18, st_buf)
    ST(12, sh, lhu, 0x00000080, 0x00000080, 20, st_buf)
    ST(13, sh, lhu, 0x0000007f, 0x0000007f, 22, st_buf)
    ST(14, sh, lhu, 0x00008000, 0x00008000, 24, st_buf)
    ST(15, sh, lhu, 0x00007fff, 0x00007fff, 26, st_buf)
    ST(16, sh, lhu, 0x0000a5a5, 0x5a5aa5a5, 28, st_buf)

    /* negative offsets and the largest offsets */
    ST(17, sh, lhu, 0x0000cafe, 0x0badcafe, -4, st_buf+16)
    ST(18, sh, lhu, 0x00005926, 0x31415926, -32, st_buf+32)
    ST(19, sh, lhu, 0x00002818, 0x27182818, 2047, st_buf+8-2047)
    ST(20, sh, lhu, 0x00000339, 0x16180339, -2048, st_buf+12+2048)

    /* only the addressed bytes change: fill a word pair with a pattern, store at each offset, read both words */
    ST_ONLY(21, sh, 0, 0xa5a59bdf)
    ST_ONLY(22, sh, 2, 0x9bdfa5a5)

    /* x0 as the value (stores zero); base = value register (stores the address) */
    CASE(23)
    la x11, st_buf
    li x12, -1
    sw x12, 0(x11)
    sh x0, 0(x11)
    lhu x13, 0(x11)
    EXPECT(x13, 0)
    CASE(24)
    la x11, st_buf+8
    sh x11, 0(x11)
    lhu x13, 0(x11)
    la x14, st_buf+8
    li x12, 0xffff
    and x14, x14, x12
    EXPECT_REG(x13, x14)

    /* bypass: value and base produced just before the store; load right after */
    ST_FWD(25, sh, lhu, 0x00003344, 0x11223344, 0, st_buf, 0, 0)
    ST_FWD(26, sh, lhu, 0x00003445, 0x12233445, 4, st_buf, 0, 1)
    ST_FWD(27, sh, lhu, 0x00003546, 0x13243546, 8, st_buf, 0, 2)
    ST_FWD(28, sh, lhu, 0x00003647, 0x14253647, 12, st_buf, 1, 0)
    ST_FWD(29, sh, lhu, 0x00003748, 0x15263748, 16, st_buf, 1, 1)
    ST_FWD(30, sh, lhu, 0x00003849, 0x16273849, 20, st_buf, 2, 0)

    /* store then load in the next instruction through a different base register */
    CASE(31)
    la x11, st_buf
    addi x12, x11, 8
    li x13, 0x76543210
    sh x13, 8(x11)
    lhu x14, 0(x12)
    EXPECT(x14, 0x00003210)
BH_END

    .balign 64
    .space 64
st_buf:
    .space 64
