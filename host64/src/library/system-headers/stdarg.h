/* bridge32's <stdarg.h>: a va_list is passed as a pointer the bridge never looks through. */
#pragma once
typedef struct __bridge32_va_list* va_list;
typedef va_list __builtin_va_list;
typedef va_list __gnuc_va_list;
