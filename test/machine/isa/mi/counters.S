/*
 * Counters (privileged spec 3.1.10, unprivileged chapter 10): cycle and instret (and their
 * machine versions mcycle, minstret) count up; cycle/instret are read-only shadows of
 * mcycle/minstret; mcycle, mcycleh, minstret, minstreth are writable from M.
 */
#include "bh_env.h"
#include "bh_test.h"

BH_BEGIN
    /* cycle increases */
    CASE(2)
    csrr x11, cycle
    NOPS(10)
    csrr x12, cycle
    bltu x11, x12, 10f
    FAIL_NOW
10:
    /* instret counts instructions: 10 nops between two reads, so 11 (+/- 1) */
    CASE(3)
    csrr x11, instret
    NOPS(10)
    csrr x12, instret
    sub x13, x12, x11
    addi x13, x13, -10
    sltiu x13, x13, 3
    EXPECT(x13, 1)

    /* cycle and mcycle, instret and minstret are the same counters */
    CASE(4)
    csrr x11, mcycle
    csrr x12, cycle
    sub x13, x12, x11
    sltiu x13, x13, 100
    EXPECT(x13, 1)
    CASE(5)
    csrr x11, minstret
    csrr x12, instret
    sub x13, x12, x11
    EXPECT(x13, 1)

    /* mcycle is writable: small right after writing 0 */
    CASE(6)
    csrw mcycle, zero
    csrr x13, mcycle
    sltiu x13, x13, 100
    EXPECT(x13, 1)
    CASE(7)
    li x11, 1000000
    csrw mcycle, x11
    csrr x13, cycle
    sub x13, x13, x11
    sltiu x13, x13, 100
    EXPECT(x13, 1)

    /* mcycleh is writable and read through cycleh */
    CASE(8)
    csrw mcycle, zero
    li x11, 0x12345
    csrw mcycleh, x11
    csrr x13, mcycleh
    EXPECT(x13, 0x12345)
    csrr x13, cycleh
    EXPECT(x13, 0x12345)
    csrw mcycleh, zero

    /* the low word carries into the high word */
    CASE(9)
    li x11, -1
    csrw mcycleh, zero
    csrw mcycle, x11
    NOPS(20)
    csrr x13, mcycleh
    EXPECT(x13, 1)
    csrr x13, mcycle
    sltiu x13, x13, 200
    EXPECT(x13, 1)

    /* minstret is writable; the write is done instead of the writing instruction's increment
       (Zicsr), and a read sees the count before the reading instruction: exactly 5000 */
    CASE(10)
    li x11, 5000
    csrw minstret, x11
    csrr x13, minstret
    EXPECT(x13, 5000)
    CASE(11)
    li x11, 7
    csrw minstreth, x11
    csrr x13, instreth
    EXPECT(x13, 7)
    csrw minstreth, zero

    /* a trap does not stop the counters: instret still counts after an ecall */
    CASE(12)
    csrr x11, minstret
    TRAP_M(12, CAUSE_ECALL_M, ecall)
    csrr x12, minstret
    bltu x11, x12, 11f
    FAIL_NOW
11:
BH_END
