/*
 * sw: store a word (little endian).
 * Misaligned addresses trap on this machine: mi/ma_store.S.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* store, then load back with lw */
    ST(2, sw, lw, 0x00000000, 0x00000000, 0, st_buf)
    ST(3, sw, lw, 0xffffffff, 0xffffffff, 4, st_buf)
    ST(4, sw, lw, 0x12345678, 0x12345678, 8, st_buf)
    ST(5, sw, lw, 0x80000000, 0x80000000, 12, st_buf)
    ST(6, sw, lw, 0x7fffffff, 0x7fffffff, 16, st_buf)
    ST(7, sw, lw, 0xdeadbeef, 0xdeadbeef, 20, st_buf)
    ST(8, sw, lw, 0x000000ff, 0x000000ff, 24, st_buf)
    ST(9, sw, lw, 0x0000ff00, 0x0000ff00, 28, st_buf)
    ST(10, sw, lw, 0x00ff0000, 0x00ff0000, 0, st_buf)
    ST(11, sw, lw, 0xff000000, 0xff000000, 4, st_buf)
    ST(12, sw, lw, 0x00000080, 0x00000080, 8, st_buf)
    ST(13, sw, lw, 0x0000007f, 0x0000007f, 12, st_buf)
    ST(14, sw, lw, 0x00008000, 0x00008000, 16, st_buf)
    ST(15, sw, lw, 0x00007fff, 0x00007fff, 20, st_buf)
    ST(16, sw, lw, 0x5a5aa5a5, 0x5a5aa5a5, 24, st_buf)

    /* negative offsets and the largest offsets */
    ST(17, sw, lw, 0x0badcafe, 0x0badcafe, -4, st_buf+16)
    ST(18, sw, lw, 0x31415926, 0x31415926, -32, st_buf+32)
    ST(19, sw, lw, 0x27182818, 0x27182818, 2047, st_buf+8-2047)
    ST(20, sw, lw, 0x16180339, 0x16180339, -2048, st_buf+12+2048)

    /* only the addressed bytes change: fill a word pair with a pattern, store at each offset, read both words */
    ST_ONLY(21, sw, 0, 0x13579bdf)

    /* x0 as the value (stores zero); base = value register (stores the address) */
    CASE(22)
    la x11, st_buf
    li x12, -1
    sw x12, 0(x11)
    sw x0, 0(x11)
    lw x13, 0(x11)
    EXPECT(x13, 0)
    CASE(23)
    la x11, st_buf+8
    sw x11, 0(x11)
    lw x13, 0(x11)
    EXPECT_LA(x13, st_buf+8)

    /* bypass: value and base produced just before the store; load right after */
    ST_FWD(24, sw, lw, 0x11223344, 0x11223344, 0, st_buf, 0, 0)
    ST_FWD(25, sw, lw, 0x12233445, 0x12233445, 4, st_buf, 0, 1)
    ST_FWD(26, sw, lw, 0x13243546, 0x13243546, 8, st_buf, 0, 2)
    ST_FWD(27, sw, lw, 0x14253647, 0x14253647, 12, st_buf, 1, 0)
    ST_FWD(28, sw, lw, 0x15263748, 0x15263748, 16, st_buf, 1, 1)
    ST_FWD(29, sw, lw, 0x16273849, 0x16273849, 20, st_buf, 2, 0)

    /* store then load in the next instruction through a different base register */
    CASE(30)
    la x11, st_buf
    addi x12, x11, 8
    li x13, 0x76543210
    sw x13, 8(x11)
    lw x14, 0(x12)
    EXPECT(x14, 0x76543210)
BH_END

    .balign 64
    .space 64
st_buf:
    .space 64
