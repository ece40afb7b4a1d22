/*
 * bh_vm.h — Sv32 page tables and mode switching for the supervisor programs (si/).
 * Include after bh_env.h and bh_test.h, before BH_BEGIN.
 *
 *   virtual                                 physical
 *   0x4000_0000 .. 0x403F_FFFF  "window":   pages the test maps one by one (vm_map), through
 *                                           one level-0 table, bh_vm_l0
 *   0x403F_F000                 UCODE_VA:   by convention, the page bh_upage (U-mode snippets)
 *   0x8000_0000 .. 0x807F_FFFF  identity:   two 4 MiB superpages, RWX, A, D, G, not U: the
 *                                           program, the handlers, records and tohost work in S
 *
 * The tables are built by M-mode code (vm_init, vm_map) and switched on with vm_on (satp),
 * which only S and U see; M stays untranslated unless MPRV. Every helper is called with
 * `jal ra, helper` from M-mode and clobbers a0-a3 only.
 */
#ifndef BH_VM_H
#define BH_VM_H

#define PTE_V 0x001
#define PTE_R 0x002
#define PTE_W 0x004
#define PTE_X 0x008
#define PTE_U 0x010
#define PTE_G 0x020
#define PTE_A 0x040
#define PTE_D 0x080
#define PTE_RSW 0x300

/* common leaf permissions, valid and accessed (and dirty where writable) */
#define PG_RW   (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PG_RO   (PTE_V | PTE_R | PTE_A)
#define PG_RX   (PTE_V | PTE_R | PTE_X | PTE_A)
#define PG_XO   (PTE_V | PTE_X | PTE_A)
#define PG_RWX  (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define SATP_SV32 0x80000000
#define VM_WIN    0x40000000
#define UCODE_VA  0x403ff000

/* the address of the level-0 PTE of window address va, and of the root PTE of va */
#define VM_PTE(reg, va)  LA_ABS(reg, bh_vm_l0 + (((va) >> 10) & 0xffc))
#define VM_ROOT_PTE(reg, va)  LA_ABS(reg, bh_vm_root + (((va) >> 20) & 0xffc))

/* map the 4 KiB page at label `page` (or at physical address pa) at window address va */
#define VM_MAP(va, page, flags)    li a0, va; LA_ABS(a1, page); li a2, flags; jal ra, vm_map
#define VM_MAP_PA(va, pa, flags)   li a0, va; li a1, pa; li a2, flags; jal ra, vm_map
/* a root entry: a 4 MiB leaf for va (its PTE written as given) */
#define VM_ROOT_SET(va, pte)       VM_ROOT_PTE(a0, va); li a1, pte; sw a1, 0(a0)

/* From M: run the U-mode snippet `snip` of bh_upage, which must be mapped at UCODE_VA.
   The snippet ends in a trap (an ecall when all went well); M resumes after the macro. */
#define RUN_U(snip) \
    ARM_M(8802f); LA_ABS(x30, snip); LA_ABS(x31, bh_upage); sub x30, x30, x31; \
    li x31, UCODE_VA; add x30, x30, x31; csrw mepc, x30; li x31, MSTATUS_MPP; \
    csrc mstatus, x31; mret; 8802:
/* the recorded mepc is the U-mode (virtual) address of label `snip` of bh_upage */
#define EXPECT_MEPC_U(snip) \
    LA_ABS(x31, snip); LA_ABS(x30, bh_upage); sub x31, x31, x30; li x30, UCODE_VA; \
    add x31, x31, x30; LA_ABS(x30, bh_mrec); lw x30, BH_REC_EPC(x30); BH_CMP
/* the same, from S through sret (the trap goes wherever medeleg sends it) */
#define RUN_U_FROM_S(snip) \
    LA_ABS(x30, snip); LA_ABS(x31, bh_upage); sub x30, x30, x31; li x31, UCODE_VA; \
    add x30, x30, x31; csrw sepc, x30; li x31, MSTATUS_SPP; csrc sstatus, x31; sret

/* From M: in S, `insn` must complete; back in M afterwards. */
#define S_OK(n, insn...)  CASE(n); GO_S; insn; GO_UP
/* From M: in S, with x11 = base, `insn` must trap into M with cause and mtval = tval;
   back in M afterwards. */
#define S_FAULT(n, cause, tval, base, insn...) \
    CASE(n); GO_S; li x11, base; TRAP_M(n, cause, insn); EXPECT_MTVAL(tval); EXPECT_FROM_MODE(1)

    .option norvc
    .option norelax
    .section .text.bh_vm, "ax", @progbits

/* vm_init: empty tables; identity superpages for RAM; the window's root entry -> bh_vm_l0. */
vm_init:
    LA_ABS(a0, bh_vm_root)
    li a1, 8192                 /* root and l0 are adjacent */
1:  sw zero, 0(a0)
    addi a0, a0, 4
    addi a1, a1, -4
    bnez a1, 1b
    li a2, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G
    VM_ROOT_PTE(a0, 0x80000000)
    li a1, (0x80000000 >> 12) << 10
    or a1, a1, a2
    sw a1, 0(a0)
    VM_ROOT_PTE(a0, 0x80400000)
    li a1, (0x80400000 >> 12) << 10
    or a1, a1, a2
    sw a1, 0(a0)
    VM_ROOT_PTE(a0, VM_WIN)
    LA_ABS(a1, bh_vm_l0)
    srli a1, a1, 2              /* (pa >> 12) << 10 */
    ori a1, a1, PTE_V
    sw a1, 0(a0)
    ret

/* vm_map: a0 = window va, a1 = page-aligned pa, a2 = PTE flags. Returns a0 = &PTE. */
vm_map:
    srli a0, a0, 12
    andi a0, a0, 0x3ff
    slli a0, a0, 2
    LA_ABS(a3, bh_vm_l0)
    add a0, a0, a3
    srli a1, a1, 2
    or a1, a1, a2
    sw a1, 0(a0)
    sfence.vma
    ret

/* vm_on: satp = Sv32 | root; vm_off: satp = bare. Both fence the TLB. */
vm_on:
    LA_ABS(a0, bh_vm_root)
    srli a0, a0, 12
    li a1, SATP_SV32
    or a0, a0, a1
    csrw satp, a0
    sfence.vma
    ret
vm_off:
    csrw satp, zero
    sfence.vma
    ret

/* U-mode snippets, in their own page; each ends in ecall (success) or traps before */
    .balign 4096
bh_upage:
bh_u_load:      lw x13, 0(x11);   ecall
bh_u_loadb:     lbu x13, 0(x11);  ecall
bh_u_store:     sw x12, 0(x11);   ecall
bh_u_jump:      jalr x0, 0(x11)   /* to a page; the code there ends in ecall */
bh_u_ecall:     ecall
bh_u_spin:      li x13, 0
1:              addi x13, x13, 1; j 1b
    .balign 4096

    .section .data.bh_vm, "aw", @progbits
    .balign 4096
bh_vm_root: .zero 4096
bh_vm_l0:   .zero 4096

    .text
#endif /* BH_VM_H */
