// b32w_enter for the Windows x64 calling convention (see wrap-runtime.c++), as
// wrap-enter-sysv.S is for System V. A wrapper's entry i jumps here with r11 = i and r10 = the
// wrapper's data block ({state, entries[]}), the program's arguments untouched: go to entries[i]
// if it is made, else (b32w_make) save the argument registers, have b32w_resolve make it,
// restore them and go there. At entry the stack is as the program's call left it (rsp = 8 mod
// 16, the program's 32-byte home area above the return address).
//
// b32w_enter changes no register but rax and the stack not at all, so as a leaf it needs no
// unwind data; b32w_make has a frame, described by the .seh_ directives for the unwinder.
        .intel_syntax noprefix
        .text
        .globl  b32w_enter
        .def    b32w_enter; .scl 2; .type 32; .endef
b32w_enter:
        mov     rax, [r10 + r11 * 8 + 8]
        test    rax, rax
        jz      b32w_make
        jmp     rax

        .def    b32w_make; .scl 3; .type 32; .endef
        .seh_proc b32w_make
b32w_make:
        // 32 bytes of home area for b32w_resolve, 64 for xmm0-3, 8 to align: rsp = 0 mod 16.
        sub     rsp, 104
        .seh_stackalloc 104
        .seh_endprologue
        // The integer arguments in the program's home area, above the return address.
        mov     [rsp + 112], rcx
        mov     [rsp + 120], rdx
        mov     [rsp + 128], r8
        mov     [rsp + 136], r9
        movdqa  [rsp + 32], xmm0
        movdqa  [rsp + 48], xmm1
        movdqa  [rsp + 64], xmm2
        movdqa  [rsp + 80], xmm3
        mov     rcx, r10
        mov     rdx, r11
        call    b32w_resolve
        mov     r11, rax
        mov     rcx, [rsp + 112]
        mov     rdx, [rsp + 120]
        mov     r8, [rsp + 128]
        mov     r9, [rsp + 136]
        movdqa  xmm0, [rsp + 32]
        movdqa  xmm1, [rsp + 48]
        movdqa  xmm2, [rsp + 64]
        movdqa  xmm3, [rsp + 80]
        add     rsp, 104
        jmp     r11
        .seh_endproc

// What a call returns when its function could not be made (the runtime logged why and set the
// last error): zero in both result registers.
        .globl  b32w_failed
        .def    b32w_failed; .scl 2; .type 32; .endef
b32w_failed:
        xor     eax, eax
        xorps   xmm0, xmm0
        ret

// The runtime's one export.
        .section .drectve
        .ascii  " -export:b32w_enter"
