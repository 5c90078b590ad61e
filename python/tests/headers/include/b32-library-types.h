/* The fixture's types, in a header of their own found through an include directory. */
#ifndef B32_LIBRARY_TYPES_H
#define B32_LIBRARY_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Point { int32_t x, y; };
struct Rect { struct Point tl, br; };
struct Mixed { char c; int64_t i; short s; double d; };
typedef void* B32_CONTEXT;
#endif
