/* bridge32's <wchar.h>: wchar_t is the parser's own. */
#pragma once
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#if defined(_WIN32)
typedef unsigned short wint_t;
#else
typedef unsigned int wint_t;
#endif
typedef struct { int __count; unsigned int __value; } mbstate_t;
#define WEOF ((wint_t)-1)
