// b32w_enter for System V x86-64 (see wrap-runtime.c++). A wrapper's entry i jumps here with
// r11 = i and r10 = the wrapper's data block ({state, entries[]}), the program's arguments
// untouched: go to entries[i] if it is made, else save the argument registers, have
// b32w_resolve make it, restore them and go there. At entry the stack is as the program's call
// left it (rsp = 8 mod 16).
        .text
        .globl  b32w_enter
        .type   b32w_enter, @function
b32w_enter:
        movq    8(%r10,%r11,8), %rax
        testq   %rax, %rax
        jz      1f
        jmp     *%rax
1:      pushq   %rbp
        movq    %rsp, %rbp
        subq    $208, %rsp
        movq    %rdi, 0(%rsp)
        movq    %rsi, 8(%rsp)
        movq    %rdx, 16(%rsp)
        movq    %rcx, 24(%rsp)
        movq    %r8, 32(%rsp)
        movq    %r9, 40(%rsp)
        movdqa  %xmm0, 64(%rsp)
        movdqa  %xmm1, 80(%rsp)
        movdqa  %xmm2, 96(%rsp)
        movdqa  %xmm3, 112(%rsp)
        movdqa  %xmm4, 128(%rsp)
        movdqa  %xmm5, 144(%rsp)
        movdqa  %xmm6, 160(%rsp)
        movdqa  %xmm7, 176(%rsp)
        movq    %r10, %rdi
        movq    %r11, %rsi
        call    b32w_resolve@PLT
        movq    %rax, %r11
        movq    0(%rsp), %rdi
        movq    8(%rsp), %rsi
        movq    16(%rsp), %rdx
        movq    24(%rsp), %rcx
        movq    32(%rsp), %r8
        movq    40(%rsp), %r9
        movdqa  64(%rsp), %xmm0
        movdqa  80(%rsp), %xmm1
        movdqa  96(%rsp), %xmm2
        movdqa  112(%rsp), %xmm3
        movdqa  128(%rsp), %xmm4
        movdqa  144(%rsp), %xmm5
        movdqa  160(%rsp), %xmm6
        movdqa  176(%rsp), %xmm7
        leave
        jmp     *%r11
        .size   b32w_enter, .-b32w_enter

// What a call returns when its function could not be made (the runtime logged why and set
// errno): zeros in every result register.
        .globl  b32w_failed
        .type   b32w_failed, @function
b32w_failed:
        xorl    %eax, %eax
        xorl    %edx, %edx
        xorps   %xmm0, %xmm0
        xorps   %xmm1, %xmm1
        ret
        .size   b32w_failed, .-b32w_failed

        .section .note.GNU-stack, "", @progbits
