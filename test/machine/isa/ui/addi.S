/*
 * addi: rd = rs1 + sext(imm12), wrapping; addi rd, x0, imm is li, addi x0, x0, 0 is nop.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* rd = addi(rs1, imm); the immediate is sign-extended from 12 bits */
    RI(2, addi, 0x00000000, 0x00000000, 0)
    RI(3, addi, 0x00000002, 0x00000001, 1)
    RI(4, addi, 0x0000000a, 0x00000003, 7)
    RI(5, addi, 0xffffffff, 0x00000000, -1)
    RI(6, addi, 0x00000000, 0xffffffff, 1)
    RI(7, addi, 0xfffffffe, 0xffffffff, -1)
    RI(8, addi, 0x80000000, 0x7fffffff, 1)
    RI(9, addi, 0x7fffffff, 0x80000000, -1)
    RI(10, addi, 0x000007ff, 0x00000000, 2047)
    RI(11, addi, 0xfffff800, 0x00000000, -2048)
    RI(12, addi, 0x800007ff, 0x80000000, 2047)
    RI(13, addi, 0x7ffff7ff, 0x7fffffff, -2048)
    RI(14, addi, 0x800007fe, 0x7fffffff, 2047)
    RI(15, addi, 0x7ffff800, 0x80000000, -2048)
    RI(16, addi, 0x12345bcd, 0x12345678, 1365)
    RI(17, addi, 0xdeadb999, 0xdeadbeef, -1366)
    RI(18, addi, 0x00000000, 0x00000800, -2048)
    RI(19, addi, 0xffffffff, 0xfffff800, 2047)
    RI(20, addi, 0x00010000, 0x0000ffff, 1)
    RI(21, addi, 0x000007fe, 0xffffffff, 2047)

    /* register file indexing */
    RI_REGS(22, addi, 0x80000000, 0x7fffffff, 1, x1, x2)
    RI_REGS(23, addi, 0x000007ff, 0x00000000, 2047, x29, x28)
    RI_REGS(24, addi, 0x800007fe, 0x7fffffff, 2047, x16, x16)

    /* aliasing rd = rs1; x0 as source and destination */
    RI_RD1(25, addi, 0xffffffff, 0x00000000, -1)
    RI_RD1(26, addi, 0xfffffffe, 0xffffffff, -1)
    RI_Z1(27, addi, 0xffffffff, -1)
    RI_Z1(28, addi, 0xffffffff, -1)
    RI_ZD(29, addi, 0x00000000, -1)
    RI_ZD(30, addi, 0xffffffff, -1)

    /* bypass */
    RI_FWD(31, addi, 0x00000002, 0x00000001, 1, 0)
    RI_FWD(32, addi, 0x0000000a, 0x00000003, 7, 1)
    RI_FWD(33, addi, 0xffffffff, 0x00000000, -1, 2)
    RI_SRC(34, addi, 0x00000000, 0xffffffff, 1, 0)
    RI_SRC(35, addi, 0xfffffffe, 0xffffffff, -1, 1)
    RI_SRC(36, addi, 0x80000000, 0x7fffffff, 1, 2)
BH_END
