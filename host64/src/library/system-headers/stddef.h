/* bridge32's <stddef.h>: size_t, ptrdiff_t and wchar_t are the parser's own. */
#pragma once
#ifndef NULL
#define NULL ((void*)0)
#endif
typedef intptr_t ptrdiff_t;
typedef double max_align_t;
