/*
 * Machine identification: misa says RV32 (MXL = 1 in bits 31:30) with I, M, S and U, and
 * without A, C, D, E, F, H (this is an RV32IM machine with S and U modes); mhartid = 0 on
 * the only hart; mvendorid, marchid, mimpid are readable.
 */
#include "bh_env.h"
#include "bh_test.h"

#define EXT(c) (1 << ((c) - 'A'))

BH_BEGIN
    CASE(2)
    csrr x11, misa
    EXPECT_BITS(x11, 0xc0000000, 0x40000000)
    CASE(3); EXPECT_BITS(x11, EXT('I'), EXT('I'))
    CASE(4); EXPECT_BITS(x11, EXT('M'), EXT('M'))
    CASE(5); EXPECT_BITS(x11, EXT('S'), EXT('S'))
    CASE(6); EXPECT_BITS(x11, EXT('U'), EXT('U'))
    CASE(7); EXPECT_BITS(x11, EXT('E'), 0)
    CASE(8); EXPECT_BITS(x11, EXT('C'), 0)
    CASE(9); EXPECT_BITS(x11, EXT('F') | EXT('D') | EXT('Q'), 0)
    CASE(10); EXPECT_BITS(x11, EXT('A'), 0)
    CASE(11); EXPECT_BITS(x11, EXT('H'), 0)
    /* bits 29:26 are zero on RV32 */
    CASE(12); EXPECT_BITS(x11, 0x3c000000, 0)

    CASE(13)
    csrr x12, mhartid
    EXPECT(x12, 0)

    CASE(14)
    csrr x12, mvendorid
    csrr x12, marchid
    csrr x12, mimpid
BH_END
