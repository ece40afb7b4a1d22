/*
 * Zicsr instructions on read/write machine CSRs (mscratch, mepc, mtval, mcause):
 * csrrw/csrrs/csrrc and their immediate forms return the old value and write
 * new = value / old | value / old & ~value. csrrs/csrrc with rs1 = x0, and the immediate forms
 * with uimm = 0, do not write; the uimm is 5 bits, zero-extended. rd = rs1 is allowed: the
 * old CSR value goes to rd after rs1 was read.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* write then read, full width */
    CASE(2);  li x11, 0x12345678; csrw mscratch, x11; csrr x13, mscratch; EXPECT(x13, 0x12345678)
    CASE(3);  li x11, -1; csrw mscratch, x11; csrr x13, mscratch; EXPECT(x13, 0xffffffff)
    CASE(4);  csrw mscratch, x0; csrr x13, mscratch; EXPECT(x13, 0)
    CASE(5);  li x11, 0x80000001; csrw mscratch, x11; csrr x13, mscratch; EXPECT(x13, 0x80000001)

    /* csrrw: swap */
    CASE(6);  li x12, 0xa5a5a5a5; csrrw x13, mscratch, x12; EXPECT(x13, 0x80000001)
              csrr x13, mscratch; EXPECT(x13, 0xa5a5a5a5)
    /* csrrs: set bits */
    CASE(7);  li x12, 0x0000ffff; csrrs x13, mscratch, x12; EXPECT(x13, 0xa5a5a5a5)
              csrr x13, mscratch; EXPECT(x13, 0xa5a5ffff)
    /* csrrc: clear bits */
    CASE(8);  li x12, 0xff0000ff; csrrc x13, mscratch, x12; EXPECT(x13, 0xa5a5ffff)
              csrr x13, mscratch; EXPECT(x13, 0x00a5ff00)
    /* csrrs / csrrc with rs1 = x0: read only */
    CASE(9);  csrrs x13, mscratch, x0; EXPECT(x13, 0x00a5ff00)
              csrrc x13, mscratch, x0; EXPECT(x13, 0x00a5ff00)
              csrr x13, mscratch; EXPECT(x13, 0x00a5ff00)
    /* csrrs / csrrc with a zero register that is not x0: a write of the same value */
    CASE(10); li x12, 0; csrrs x13, mscratch, x12; csrrc x13, mscratch, x12
              csrr x13, mscratch; EXPECT(x13, 0x00a5ff00)

    /* immediate forms: uimm is zero-extended (31 is 0x1f, not -1) */
    CASE(11); csrrwi x13, mscratch, 31; EXPECT(x13, 0x00a5ff00)
              csrr x13, mscratch; EXPECT(x13, 0x0000001f)
    CASE(12); csrrci x13, mscratch, 0x11; EXPECT(x13, 0x1f)
              csrr x13, mscratch; EXPECT(x13, 0x0000000e)
    CASE(13); csrrsi x13, mscratch, 0x10; EXPECT(x13, 0x0e)
              csrr x13, mscratch; EXPECT(x13, 0x0000001e)
    CASE(14); csrrsi x13, mscratch, 0; csrrci x14, mscratch, 0
              EXPECT(x13, 0x1e); EXPECT(x14, 0x1e)
    CASE(15); csrrwi x13, mscratch, 0; csrr x14, mscratch; EXPECT(x13, 0x1e); EXPECT(x14, 0)
    CASE(16); li x13, -1; csrwi mscratch, 5; csrsi mscratch, 8; csrci mscratch, 1
              csrr x13, mscratch; EXPECT(x13, 12)

    /* rd = rs1 */
    CASE(17); li x11, 0x11111111; csrw mscratch, x11; li x11, 0x22222222
              csrrw x11, mscratch, x11; EXPECT(x11, 0x11111111)
              csrr x13, mscratch; EXPECT(x13, 0x22222222)
    CASE(18); li x11, 0x00000101; csrrs x11, mscratch, x11; EXPECT(x11, 0x22222222)
              csrr x13, mscratch; EXPECT(x13, 0x22222323)
    CASE(19); li x11, 0x00000303; csrrc x11, mscratch, x11; EXPECT(x11, 0x22222323)
              csrr x13, mscratch; EXPECT(x13, 0x22222020)

    /* rd = x0: csrrw x0 writes (and does not read); x0 stays 0 */
    CASE(20); li x11, 0x600d; csrrw x0, mscratch, x11; EXPECT(x0, 0)
              csrr x13, mscratch; EXPECT(x13, 0x600d)

    /* bypass: a written value is read by the next instruction; a read value used at once */
    CASE(21); li x11, 0x31337; csrw mscratch, x11; csrr x13, mscratch; addi x14, x13, 1
              EXPECT(x14, 0x31338)
    CASE(22); li x13, 0x31330; csrwi mscratch, 7; csrrs x13, mscratch, x13; csrr x14, mscratch
              EXPECT(x13, 7); EXPECT(x14, 0x31337)

    /* other read/write machine CSRs */
    CASE(23); li x11, 0x80001234; csrw mepc, x11; csrr x13, mepc; EXPECT(x13, 0x80001234)
    CASE(24); li x11, 0xdeadbeef; csrw mtval, x11; csrr x13, mtval; EXPECT(x13, 0xdeadbeef)
    CASE(25); csrwi mcause, CAUSE_ILLEGAL; csrr x13, mcause; EXPECT(x13, CAUSE_ILLEGAL)
    CASE(26); li x11, CAUSE_IRQ_MTI; csrw mcause, x11; csrr x13, mcause; EXPECT(x13, CAUSE_IRQ_MTI)
    CASE(27); li x11, 0x80002000; csrw mtvec, x11; csrr x13, mtvec; EXPECT(x13, 0x80002000)
              la x11, bh_mtrap; csrw mtvec, x11; csrr x13, mtvec; EXPECT_LA(x13, bh_mtrap)

    /* the numeric CSR address is the same CSR as its name */
    CASE(28); li x11, 0x5a5a; csrw 0x340, x11; csrr x13, mscratch; EXPECT(x13, 0x5a5a)
BH_END
