/*
 * sfence.vma (privileged spec 4.2.1): after software changes a PTE, an sfence.vma makes the
 * change visible to later translations: a remapped page shows the new physical page, an
 * invalidated one faults, a permission taken away is enforced, a permission given works. The
 * forms with rs1 = address and with rs1 = x0, rs2 = ASID 0 are both used; sfence.vma executed
 * in S works as well as in M. A satp switch (here to another root) also takes effect.
 */
#include "bh_env.h"
#include "bh_test.h"
#include "bh_vm.h"

#define VA (VM_WIN + 0x1000)

BH_BEGIN
    jal ra, vm_init
    VM_MAP(VA, page_a, PG_RW)
    jal ra, vm_on

    /* use the mapping, so that it may be cached */
    S_OK(2, li x11, VA; lw x13, 0(x11); lw x13, 0(x11))
    EXPECT(x13, 0xaaaaaaaa)

    /* remap to page_b; sfence.vma (all) in M */
    CASE(3)
    VM_PTE(x11, VA)
    LA_ABS(x12, page_b)
    srli x12, x12, 2
    ori x12, x12, PG_RW
    sw x12, 0(x11)
    sfence.vma
    S_OK(4, li x11, VA; lw x13, 0(x11))
    EXPECT(x13, 0xbbbbbbbb)

    /* back to page_a; sfence.vma with the address, executed in S */
    CASE(5)
    VM_PTE(x11, VA)
    LA_ABS(x12, page_a)
    srli x12, x12, 2
    ori x12, x12, PG_RW
    sw x12, 0(x11)
    S_OK(6, li x11, VA; sfence.vma x11, x0; lw x13, 0(x11))
    EXPECT(x13, 0xaaaaaaaa)

    /* invalidate the PTE; sfence.vma x0, x0 (ASID 0) */
    CASE(7)
    VM_PTE(x11, VA)
    lw x12, 0(x11)
    andi x12, x12, ~PTE_V
    sw x12, 0(x11)
    li x11, 0
    sfence.vma x0, x11
    S_FAULT(8, CAUSE_LOAD_PAGE, VA + 4, VA, lw x13, 4(x11))

    /* valid again but read-only: stores fault, loads work */
    CASE(9)
    VM_PTE(x11, VA)
    lw x12, 0(x11)
    ori x12, x12, PTE_V
    andi x12, x12, ~PTE_W
    sw x12, 0(x11)
    sfence.vma
    S_OK(10, li x11, VA; lw x13, 4(x11))
    EXPECT(x13, 0xaaaa0004)
    S_FAULT(11, CAUSE_STORE_PAGE, VA, VA, sw x13, 0(x11))

    /* writable again */
    CASE(12)
    VM_PTE(x11, VA)
    lw x12, 0(x11)
    ori x12, x12, PTE_W
    sw x12, 0(x11)
    sfence.vma
    S_OK(13, li x11, VA; li x12, 0x5eed; sw x12, 8(x11))
    EXPECT_MEM(page_a + 8, 0x5eed)

    /* another root (a copy of the first, with VA -> page_b): a satp write switches */
    CASE(14)
    LA_ABS(x11, bh_vm_root)
    LA_ABS(x12, root2)
    li x13, 1024
10: lw x14, 0(x11)
    sw x14, 0(x12)
    addi x11, x11, 4
    addi x12, x12, 4
    addi x13, x13, -1
    bnez x13, 10b
    LA_ABS(x12, root2 + ((VA >> 20) & 0xffc))
    LA_ABS(x14, l0_2)
    srli x14, x14, 2
    ori x14, x14, PTE_V
    sw x14, 0(x12)
    LA_ABS(x12, l0_2 + ((VA >> 10) & 0xffc))
    LA_ABS(x14, page_b)
    srli x14, x14, 2
    ori x14, x14, PG_RW
    sw x14, 0(x12)
    LA_ABS(x11, root2)
    srli x11, x11, 12
    li x12, SATP_SV32
    or x11, x11, x12
    csrw satp, x11
    sfence.vma
    S_OK(15, li x11, VA; lw x13, 0(x11))
    EXPECT(x13, 0xbbbbbbbb)
    jal ra, vm_on               /* and back */
    S_OK(16, li x11, VA; lw x13, 0(x11))
    EXPECT(x13, 0xaaaaaaaa)
BH_END

    .balign 4096
page_a: .word 0xaaaaaaaa, 0xaaaa0004, 0
    .balign 4096
page_b: .word 0xbbbbbbbb
    .balign 4096
root2: .zero 4096
l0_2:  .zero 4096
