/*
 * fence: orders memory accesses; on this single hart it changes no register and no memory.
 * All predecessor/successor sets are accepted, and so is fence.tso. The unused fields of the
 * encoding (rd, rs1) are ignored by base implementations (unprivileged spec 2.7): a fence with
 * rd != 0 does not write rd.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* a store is visible to a load after a fence (and without one) */
    CASE(2)
    la x11, fbuf
    li x12, 0x0f0f1234
    sw x12, 0(x11)
    fence
    lw x13, 0(x11)
    EXPECT(x13, 0x0f0f1234)

    CASE(3)
    li x12, 0x5678
    sh x12, 4(x11)
    fence w, r
    lhu x13, 4(x11)
    EXPECT(x13, 0x5678)

    /* every variant runs as a no-op: registers keep their values */
    CASE(4)
    li x5, 0x55
    li x6, 0x66
    fence
    fence rw, rw
    fence r, r
    fence w, w
    fence r, w
    fence w, r
    fence iorw, iorw
    fence io, io
    fence i, o
    fence o, i
    fence.tso
    EXPECT(x5, 0x55)
    EXPECT(x6, 0x66)
    EXPECT_MEM(fbuf, 0x0f0f1234)

    /* rd = x5, rs1 = x6, pred = succ = iorw: rd is not written */
    CASE(5)
    li x5, 0x1234
    li x6, 0x5678
    .word 0x0ff3028f            /* fence iorw, iorw with rd = x5, rs1 = x6 */
    EXPECT(x5, 0x1234)
    EXPECT(x6, 0x5678)
BH_END

fbuf: .word 0, 0
