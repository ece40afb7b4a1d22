/*
 * Illegal instructions: encodings that are not instructions of RV32IM + Zicsr + Zifencei on
 * this machine raise an illegal-instruction exception (cause 2) with mepc = the instruction,
 * mtval = its bits, and no register written. Includes RV64-only, F, A and C encodings, custom
 * opcodes, undefined funct3/funct7 values, and the 0 and all-ones words.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    li x13, 0x5555                  /* every word below has rd = x13 where it has an rd */
    ILLEGAL_M(2,  .word 0x00000000) /* all zeros: defined to be illegal */
    ILLEGAL_M(3,  .word 0xffffffff) /* all ones: defined to be illegal */
    /* custom-0..3: no custom extensions */
    ILLEGAL_M(4,  .word 0x0000068b)
    ILLEGAL_M(5,  .word 0x000006ab)
    ILLEGAL_M(6,  .word 0x000006db)
    ILLEGAL_M(7,  .word 0x000006fb)
    /* RV64-only: addiw, addw, ld, lwu, sd */
    ILLEGAL_M(8,  .word 0x0015869b)  /* addiw x13, x11, 1 */
    ILLEGAL_M(9,  .word 0x00c586bb)  /* addw x13, x11, x12 */
    ILLEGAL_M(10, .word 0x0005b683)  /* ld x13, 0(x11) */
    ILLEGAL_M(11, .word 0x0005e683)  /* lwu x13, 0(x11) */
    ILLEGAL_M(12, .word 0x00d5b023)  /* sd x13, 0(x11) */
    /* undefined load/store widths */
    ILLEGAL_M(13, .word 0x0005f683)  /* LOAD funct3 = 7 */
    ILLEGAL_M(14, .word 0x00d5c023)  /* STORE funct3 = 4 */
    ILLEGAL_M(15, .word 0x00d5f023)  /* STORE funct3 = 7 */
    /* undefined branch conditions; jalr with funct3 != 0 */
    ILLEGAL_M(16, .word 0x00c5a463)  /* BRANCH funct3 = 2 */
    ILLEGAL_M(17, .word 0x00c5b463)  /* BRANCH funct3 = 3 */
    ILLEGAL_M(18, .word 0x000596e7)  /* JALR funct3 = 1 */
    /* OP with undefined funct7: 0x20 only exists for sub and sra, 0x01 is M, others none */
    ILLEGAL_M(19, .word 0x40c596b3)  /* funct7 = 0x20, funct3 = 1 (sll) */
    ILLEGAL_M(20, .word 0x40c5a6b3)  /* funct7 = 0x20, funct3 = 2 (slt) */
    ILLEGAL_M(21, .word 0x40c5f6b3)  /* funct7 = 0x20, funct3 = 7 (and) */
    ILLEGAL_M(22, .word 0x04c586b3)  /* funct7 = 0x02 */
    ILLEGAL_M(23, .word 0x82c586b3)  /* funct7 = 0x41 */
    /* OP-IMM: slli with funct7 = 0x20 (shamt bit 5: shamt.S) */
    ILLEGAL_M(24, .word 0x40159693)
    /* F: flw, fsw, fadd.s, fmadd.s */
    ILLEGAL_M(25, .word 0x0005a687)
    ILLEGAL_M(26, .word 0x00d5a027)
    ILLEGAL_M(27, .word 0x00c586d3)
    ILLEGAL_M(28, .word 0x00c586c3)
    /* A: lr.w, amoadd.w */
    ILLEGAL_M(29, .word 0x1005a6af)
    ILLEGAL_M(30, .word 0x00c5a6af)
    /* RV64 M: mulw */
    ILLEGAL_M(31, .word 0x02c586bb)
    /* C (16-bit encodings; the upper halfword is 0 so any tval width reads the same) */
    ILLEGAL_M(32, .word 0x00000001)  /* c.nop */
    ILLEGAL_M(33, .word 0x00004501)  /* c.li a0, 0 */
    /* MISC-MEM with funct3 = 2 (cbo.*, not implemented) and 7 */
    ILLEGAL_M(34, .word 0x0005a68f)
    ILLEGAL_M(35, .word 0x0005f68f)
    /* SYSTEM: funct3 = 4; uret (N extension, removed); dret outside debug mode; funct12 = 3 */
    ILLEGAL_M(36, .word 0x3405c6f3)
    ILLEGAL_M(37, .word 0x00200073)
    ILLEGAL_M(38, .word 0x7b200073)
    ILLEGAL_M(39, .word 0x00300073)

    /* no trapping instruction wrote x13 */
    CASE(40); EXPECT(x13, 0x5555)

    /* a legal instruction right after an illegal one runs normally */
    CASE(41)
    ARM_M(10f)
    .word 0
10: li x13, 7
    EXPECT(x13, 7)
BH_END
