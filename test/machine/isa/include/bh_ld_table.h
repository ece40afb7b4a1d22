/*
 * bh_ld_table.h — the data the load tests (lb, lbu, lh, lhu, lw) read: 8 words with every byte
 * and halfword pattern they check, 64 bytes of padding on each side for the negative and large
 * offsets. Include after BH_END.
 */

    .balign 64
    .space 64
ld_tbl:
    .word 0x807fff00
    .word 0x0ff00ff0
    .word 0xfedcba98
    .word 0x01234567
    .word 0xffffffff
    .word 0x00000000
    .word 0x7fff8000
    .word 0x80007fff
    .space 64
