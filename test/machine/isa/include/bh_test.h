/*
 * bh_test.h — case macros of bulkhead's ISA conformance programs (include after bh_env.h).
 *
 * Every macro that checks something starts with CASE(n): gp := n, the number reported on
 * failure (tohost = (n << 1) | 1, console line "bh: FAIL got=.. want=.. in case 0xn").
 * Numbers are unique within a file, so `grep -n "(23,"` finds the failing case.
 *
 * Registers: the operand macros use x11, x12 (sources), x13 (result), x14 (consumer of a
 * result); x30/x31 hold got/want of a check; gp the case number. Local labels 5-9 and 8800-8802
 * are used inside macros: tests use other numbers.
 * A check fails by `ecall` with a7 = BH_SYS_FAIL, which works in every mode and under any
 * mapping; it never returns.
 */
#ifndef BH_TEST_H
#define BH_TEST_H

#define CASE(n) li gp, n

/* reg := the link-time address of sym, without auipc (so checks of auipc, jal and jalr do not
   depend on what they test, and the address is the same from code at any virtual alias) */
#define LA_ABS(reg, sym) lui reg, %hi(sym); addi reg, reg, %lo(sym)

#define NOPS(k) .rept k; nop; .endr

/* Stop with FAIL(gp). BH_FAIL_CMP also reports x30 (got) and x31 (want). */
#define FAIL_NOW    li a6, 0; li a7, BH_SYS_FAIL; ecall; 9: j 9b
#define BH_FAIL_CMP li a6, 1; li a7, BH_SYS_FAIL; ecall; 9: j 9b
#define BH_CMP      beq x30, x31, 8f; BH_FAIL_CMP; 8:

/* ---- plain checks ---- */
#define EXPECT(reg, want)        mv x30, reg; li x31, want; BH_CMP
#define EXPECT_LA(reg, label)    mv x30, reg; LA_ABS(x31, label); BH_CMP
#define EXPECT_REG(reg, reg2)    mv x31, reg2; mv x30, reg; BH_CMP
#define EXPECT_MEM(addr, want)   LA_ABS(x30, addr); lw x30, 0(x30); li x31, want; BH_CMP
/* reg & mask == want */
#define EXPECT_BITS(reg, mask, want) li x31, mask; and x30, reg, x31; li x31, want; BH_CMP
/* csr & mask == want */
#define EXPECT_CSR_BITS(csr, mask, want) \
    csrr x30, csr; li x31, mask; and x30, x30, x31; li x31, want; BH_CMP

/* ---- register-register operations ---- */
#define RR(n, op, want, a, b)     CASE(n); li x11, a; li x12, b; op x13, x11, x12; EXPECT(x13, want)
/* explicit registers, to exercise the register file's indexing */
#define RR_REGS(n, op, want, a, b, rd, rs1, rs2) \
    CASE(n); li rs1, a; li rs2, b; op rd, rs1, rs2; EXPECT(rd, want)
/* rd = rs1, rd = rs2, rd = rs1 = rs2 */
#define RR_RD1(n, op, want, a, b) CASE(n); li x11, a; li x12, b; op x11, x11, x12; EXPECT(x11, want)
#define RR_RD2(n, op, want, a, b) CASE(n); li x11, a; li x12, b; op x12, x11, x12; EXPECT(x12, want)
#define RR_SAME(n, op, want, a)   CASE(n); li x11, a; op x11, x11, x11; EXPECT(x11, want)
/* x0 as rs1, as rs2, as both (rd preloaded with junk), and as rd (the result is discarded) */
#define RR_Z1(n, op, want, b)     CASE(n); li x12, b; op x13, x0, x12; EXPECT(x13, want)
#define RR_Z2(n, op, want, a)     CASE(n); li x11, a; op x13, x11, x0; EXPECT(x13, want)
#define RR_Z12(n, op, want)       CASE(n); li x13, 0x5eed; op x13, x0, x0; EXPECT(x13, want)
#define RR_ZD(n, op, a, b)        CASE(n); li x11, a; li x12, b; op x0, x11, x12; EXPECT(x0, 0)
/* the result is consumed `gap` instructions later (bypass paths of a pipeline) */
#define RR_FWD(n, op, want, a, b, gap) \
    CASE(n); li x11, a; li x12, b; op x13, x11, x12; NOPS(gap); addi x14, x13, 0; EXPECT(x14, want)
/* operands are produced right before use: g1 after rs1's producer, g2 after rs2's */
#define RR_SRC(n, op, want, a, b, g1, g2) \
    CASE(n); li x11, a; NOPS(g1); li x12, b; NOPS(g2); op x13, x11, x12; EXPECT(x13, want)
/* a chain: the result feeds the instruction itself again, as rs1 */
#define RR_CHAIN(n, op, want, a, b) \
    CASE(n); li x11, a; li x12, b; op x11, x11, x12; op x11, x11, x12; EXPECT(x11, want)

/* ---- register-immediate operations ---- */
#define RI(n, op, want, a, imm)     CASE(n); li x11, a; op x13, x11, imm; EXPECT(x13, want)
#define RI_REGS(n, op, want, a, imm, rd, rs1) CASE(n); li rs1, a; op rd, rs1, imm; EXPECT(rd, want)
#define RI_RD1(n, op, want, a, imm) CASE(n); li x11, a; op x11, x11, imm; EXPECT(x11, want)
#define RI_Z1(n, op, want, imm)     CASE(n); li x13, 0x5eed; op x13, x0, imm; EXPECT(x13, want)
#define RI_ZD(n, op, a, imm)        CASE(n); li x11, a; op x0, x11, imm; EXPECT(x0, 0)
#define RI_FWD(n, op, want, a, imm, gap) \
    CASE(n); li x11, a; op x13, x11, imm; NOPS(gap); addi x14, x13, 0; EXPECT(x14, want)
#define RI_SRC(n, op, want, a, imm, gap) \
    CASE(n); li x11, a; NOPS(gap); op x13, x11, imm; EXPECT(x13, want)

/* ---- conditional branches: taken (forward and backward) / not taken (both directions) ---- */
#define BR_YES_R(n, op, a, b, r1, r2) \
    CASE(n); li r1, a; li r2, b; op r1, r2, 8f; FAIL_NOW; 8: j 7f; 6: j 5f; \
    7: op r1, r2, 6b; FAIL_NOW; 5:
#define BR_NO_R(n, op, a, b, r1, r2) \
    CASE(n); li r1, a; li r2, b; j 7f; 6: FAIL_NOW; 7: op r1, r2, 6b; op r1, r2, 8f; j 5f; \
    8: FAIL_NOW; 5:
#define BR_YES(n, op, a, b) BR_YES_R(n, op, a, b, x11, x12)
#define BR_NO(n, op, a, b)  BR_NO_R(n, op, a, b, x11, x12)

/* ---- loads: base register = address of `base` (a label expression) ---- */
#define LD(n, op, want, off, base)     CASE(n); la x11, base; op x13, off(x11); EXPECT(x13, want)
#define LD_RD1(n, op, want, off, base) CASE(n); la x13, base; op x13, off(x13); EXPECT(x13, want)
#define LD_ZD(n, op, off, base)        CASE(n); la x11, base; op x0, off(x11); EXPECT(x0, 0)
#define LD_FWD(n, op, want, off, base, gap) \
    CASE(n); la x11, base; op x13, off(x11); NOPS(gap); addi x14, x13, 0; EXPECT(x14, want)
#define LD_SRC(n, op, want, off, base, gap) \
    CASE(n); la x11, base; NOPS(gap); op x13, off(x11); EXPECT(x13, want)

/* ---- stores: store `val`, load it back with `lop`, expect `want` ---- */
/* Only the addressed bytes change: the words at st_buf-4, st_buf and st_buf+4 hold 0xa5a5a5a5;
   `op` stores 0x13579bdf at st_buf+off; the word at st_buf must read `want`, its neighbours stay. */
#define ST_ONLY(n, op, off, want) \
    CASE(n); la x11, st_buf; li x12, 0xa5a5a5a5; sw x12, 0(x11); sw x12, 4(x11); sw x12, -4(x11); \
    li x12, 0x13579bdf; op x12, off(x11); \
    lw x13, 0(x11); EXPECT(x13, want); lw x13, 4(x11); EXPECT(x13, 0xa5a5a5a5); lw x13, -4(x11); EXPECT(x13, 0xa5a5a5a5)
#define ST(n, sop, lop, want, val, off, base) \
    CASE(n); la x11, base; li x12, val; sop x12, off(x11); lop x13, off(x11); EXPECT(x13, want)
#define ST_FWD(n, sop, lop, want, val, off, base, g1, g2) \
    CASE(n); la x11, base; NOPS(g1); li x12, val; NOPS(g2); sop x12, off(x11); \
    lop x13, off(x11); EXPECT(x13, want)

/* ---- traps ---- */
/* Arm a handler's resume slot: its next trap returns to `label`, in the handler's mode. */
#define ARM_M(label)  LA_ABS(x30, label); LA_ABS(x31, bh_mrec); sw x30, BH_REC_RESUME(x31)
#define ARM_S(label)  LA_ABS(x30, label); LA_ABS(x31, bh_srec); sw x30, BH_REC_RESUME(x31)
#define DISARM_M      LA_ABS(x31, bh_mrec); sw zero, BH_REC_RESUME(x31)
#define DISARM_S      LA_ABS(x31, bh_srec); sw zero, BH_REC_RESUME(x31)

/* Checks of the last trap recorded by a handler (rec = bh_mrec or bh_srec). */
#define EXPECT_REC(rec, field, want) \
    LA_ABS(x30, rec); lw x30, field(x30); li x31, want; BH_CMP
#define EXPECT_REC_LA(rec, field, label) \
    LA_ABS(x30, rec); lw x30, field(x30); LA_ABS(x31, label); BH_CMP
#define EXPECT_REC_REG(rec, field, reg) \
    mv x31, reg; LA_ABS(x30, rec); lw x30, field(x30); BH_CMP
/* field == the instruction word at label (tval of an illegal instruction) */
#define EXPECT_REC_INSN(rec, field, label) \
    LA_ABS(x30, rec); lw x30, field(x30); LA_ABS(x31, label); lw x31, 0(x31); BH_CMP
#define EXPECT_REC_BITS(rec, field, mask, want) \
    LA_ABS(x30, rec); lw x30, field(x30); li x31, mask; and x30, x30, x31; li x31, want; BH_CMP

#define EXPECT_MCAUSE(c)       EXPECT_REC(bh_mrec, BH_REC_CAUSE, c)
#define EXPECT_MEPC(label)     EXPECT_REC_LA(bh_mrec, BH_REC_EPC, label)
#define EXPECT_MTVAL(v)        EXPECT_REC(bh_mrec, BH_REC_TVAL, v)
#define EXPECT_MTVAL_LA(label) EXPECT_REC_LA(bh_mrec, BH_REC_TVAL, label)
#define EXPECT_SCAUSE(c)       EXPECT_REC(bh_srec, BH_REC_CAUSE, c)
#define EXPECT_SEPC(label)     EXPECT_REC_LA(bh_srec, BH_REC_EPC, label)
#define EXPECT_STVAL(v)        EXPECT_REC(bh_srec, BH_REC_TVAL, v)
#define EXPECT_STVAL_LA(label) EXPECT_REC_LA(bh_srec, BH_REC_TVAL, label)
/* mstatus.MPP on trap entry = the mode trapped from (0 U, 1 S, 3 M) */
#define EXPECT_FROM_MODE(m)    EXPECT_REC_BITS(bh_mrec, BH_REC_STATUS, MSTATUS_MPP, ((m) << 11))

/*
 * TRAP_M(n, cause, insn): `insn` (one instruction) must trap into M with `cause` and
 * mepc = its address; execution resumes after the case, in M-mode.
 * TRAP_M_TVAL adds mtval == tval; ILLEGAL_M checks cause 2 with mtval = the instruction bits.
 * The _S forms expect the trap in S (delegated) and resume in S.
 */
#define TRAP_M(n, cause, insn...) \
    CASE(n); ARM_M(8801f); 8800: insn; FAIL_NOW; 8801: EXPECT_MCAUSE(cause); EXPECT_MEPC(8800b)
#define TRAP_M_TVAL(n, cause, tval, insn...) \
    TRAP_M(n, cause, insn); EXPECT_MTVAL(tval)
#define ILLEGAL_M(n, insn...) \
    TRAP_M(n, CAUSE_ILLEGAL, insn); EXPECT_REC_INSN(bh_mrec, BH_REC_TVAL, 8800b)
#define TRAP_S(n, cause, insn...) \
    CASE(n); ARM_S(8801f); 8800: insn; FAIL_NOW; 8801: EXPECT_SCAUSE(cause); EXPECT_SEPC(8800b)
#define TRAP_S_TVAL(n, cause, tval, insn...) \
    TRAP_S(n, cause, insn); EXPECT_STVAL(tval)
#define ILLEGAL_S(n, insn...) \
    TRAP_S(n, CAUSE_ILLEGAL, insn); EXPECT_REC_INSN(bh_srec, BH_REC_TVAL, 8800b)

/* ---- privilege changes ---- */
/* From M: continue at the next instruction in S (or U), via mret. Leaves MIE = MPIE. */
#define GO_MODE(mppbits) \
    li x30, MSTATUS_MPP; csrc mstatus, x30; li x30, mppbits; csrs mstatus, x30; \
    LA_ABS(x30, 8f); csrw mepc, x30; mret; 8:
#define GO_S GO_MODE(MSTATUS_MPP_S)
#define GO_U GO_MODE(0)
/* From S: continue at the next instruction in U, via sret. */
#define GO_U_FROM_S \
    li x30, MSTATUS_SPP; csrc sstatus, x30; LA_ABS(x30, 8f); csrw sepc, x30; sret; 8:
/* From S or U: continue at the next instruction in the mode of the handler that takes the
   ecall (M unless ecalls from U are delegated to S). */
#define GO_UP li a7, BH_SYS_UP; ecall; li a7, 0

/* ---- waiting and the CLINT (interrupt tests) ---- */
/* Spin n iterations (n < 2^31). */
#define SPIN(n) li x30, n; 7: addi x30, x30, -1; bnez x30, 7b
/* Wait until csr & mask is nonzero / zero, for at most 100000 iterations, else fail.
   mask < 0x800 (an andi immediate). */
#define WAIT_CSR_SET(csr, mask) \
    li x30, 100000; 7: csrr x31, csr; andi x31, x31, mask; bnez x31, 6f; addi x30, x30, -1; \
    bnez x30, 7b; FAIL_NOW; 6:
#define WAIT_CSR_CLEAR(csr, mask) \
    li x30, 100000; 7: csrr x31, csr; andi x31, x31, mask; beqz x31, 6f; addi x30, x30, -1; \
    bnez x30, 7b; FAIL_NOW; 6:
/* An interrupt is expected during this wait: spin at most 100000 iterations, else fail. */
#define WAIT_FOR_TRAP li x30, 100000; 7: addi x30, x30, -1; bnez x30, 7b; FAIL_NOW

#define SET_MSIP(v) li x30, CLINT_MSIP; li x31, v; sw x31, 0(x30)
/* mtimecmp := all ones (no timer interrupt, ever); the high word first */
#define MTIMECMP_NEVER \
    li x30, CLINT_MTIMECMP_HI; li x31, -1; sw x31, 0(x30); sw x31, -4(x30)
/* mtimecmp := mtime + ticks (ticks < 2048; assumes mtime < 2^32 - ticks, true in these short
   runs). The high word is set last, so no intermediate value fires early. */
#define MTIMECMP_IN(ticks) \
    MTIMECMP_NEVER; li x30, CLINT_MTIME_LO; lw x31, 0(x30); addi x31, x31, ticks; \
    li x30, CLINT_MTIMECMP_LO; sw x31, 0(x30); sw zero, 4(x30)

#endif /* BH_TEST_H */
