/*
 * Shift-immediate encodings on RV32: the shift amount is 5 bits; slli, srli and srai with
 * shamt[5] (instruction bit 25) set are illegal (unprivileged spec 2.4), as are the largest
 * "amounts" 32..63. The trap leaves rd unchanged; mtval holds the instruction bits.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    li x11, 0x12345678
    li x13, 0x5555
    ILLEGAL_M(2,  .word 0x02059693)  /* slli x13, x11, 32 */
    ILLEGAL_M(3,  .word 0x0205d693)  /* srli x13, x11, 32 */
    ILLEGAL_M(4,  .word 0x4205d693)  /* srai x13, x11, 32 */
    ILLEGAL_M(5,  .word 0x03f59693)  /* slli x13, x11, 63 */
    ILLEGAL_M(6,  .word 0x03f5d693)  /* srli x13, x11, 63 */
    ILLEGAL_M(7,  .word 0x43f5d693)  /* srai x13, x11, 63 */
    ILLEGAL_M(8,  .word 0x02159693)  /* slli x13, x11, 33 */
    ILLEGAL_M(9,  .word 0x0215d693)  /* srli x13, x11, 33 */
    ILLEGAL_M(10, .word 0x4215d693)  /* srai x13, x11, 33 */
    ILLEGAL_M(11, .word 0x02001013)  /* slli x0, x0, 32: rd = x0 does not make it legal */
    CASE(12); EXPECT(x13, 0x5555)

    /* the same shifts with shamt 31 and 0 are legal */
    CASE(13); .word 0x01f59693; EXPECT(x13, 0x00000000)   /* slli x13, x11, 31 */
    CASE(14); .word 0x01f5d693; EXPECT(x13, 0x00000000)   /* srli x13, x11, 31 */
    CASE(15); .word 0x41f5d693; EXPECT(x13, 0x00000000)   /* srai x13, x11, 31 */
    CASE(16); .word 0x00059693; EXPECT(x13, 0x12345678)   /* slli x13, x11, 0 */
BH_END
