/* bridge32's <stdint.h>: the exact-width and pointer-sized types are the parser's own. */
#pragma once
typedef int8_t int_least8_t;    typedef uint8_t uint_least8_t;
typedef int16_t int_least16_t;  typedef uint16_t uint_least16_t;
typedef int32_t int_least32_t;  typedef uint32_t uint_least32_t;
typedef int64_t int_least64_t;  typedef uint64_t uint_least64_t;
typedef int8_t int_fast8_t;     typedef uint8_t uint_fast8_t;
typedef int64_t intmax_t;       typedef uint64_t uintmax_t;
#if defined(_WIN32) || defined(__i386__)
typedef int32_t int_fast16_t;   typedef uint32_t uint_fast16_t;
typedef int32_t int_fast32_t;   typedef uint32_t uint_fast32_t;
#else
typedef int64_t int_fast16_t;   typedef uint64_t uint_fast16_t;
typedef int64_t int_fast32_t;   typedef uint64_t uint_fast32_t;
#endif
typedef int64_t int_fast64_t;   typedef uint64_t uint_fast64_t;
#define INT8_MIN (-128)
#define INT8_MAX 127
#define UINT8_MAX 255
#define INT16_MIN (-32768)
#define INT16_MAX 32767
#define UINT16_MAX 65535
#define INT32_MIN (-2147483647 - 1)
#define INT32_MAX 2147483647
#define UINT32_MAX 0xffffffffU
#define INT64_MIN (-9223372036854775807LL - 1)
#define INT64_MAX 9223372036854775807LL
#define UINT64_MAX 0xffffffffffffffffULL
#define INT8_C(c) c
#define INT16_C(c) c
#define INT32_C(c) c
#define INT64_C(c) c ## LL
#define UINT8_C(c) c
#define UINT16_C(c) c
#define UINT32_C(c) c ## U
#define UINT64_C(c) c ## ULL
