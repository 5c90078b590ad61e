/* tests/fixtures/library-fixture.c's functions as a vendor would declare them, with SAL
   annotations, split over two headers and a macro the caller defines. */
#ifndef B32_LIBRARY_H
#define B32_LIBRARY_H
#include <b32-library-types.h>

#ifndef B32_API
#error "define B32_API (the vendor's export macro) to read this header"
#endif

B32_API int8_t neg8(int8_t x);
B32_API uint8_t inc_u8(uint8_t x);
B32_API int16_t neg16(int16_t x);
B32_API uint16_t inc_u16(uint16_t x);
B32_API int32_t neg32(int32_t x);
B32_API uint32_t inc_u32(uint32_t x);
B32_API int64_t neg64(int64_t x);
B32_API uint64_t inc_u64(uint64_t x);
B32_API bool not_(bool x);
B32_API int add(int a, int b);
B32_API float half_f(float x);
B32_API double hypot_d(double x, double y);
B32_API double mix(int8_t a, double b, int64_t c, float d, uint16_t e);

B32_API struct Point make_point(int32_t x, int32_t y);
B32_API struct Rect rect_offset(struct Rect r, struct Point by);
B32_API double mixed_total(struct Mixed m);
B32_API double mixed_total_all(_In_reads_(n) const struct Mixed* m, int n);
B32_API void mixed_bump(_Inout_ struct Mixed* m);
B32_API void mixed_fill(_Out_writes_(n) struct Mixed* m, int n, int64_t base);
B32_API double area(_In_ const struct Rect* r);
B32_API void grow(_Inout_ struct Rect* r, int by);

B32_API void scale(double a, _In_reads_(n) const double* x, int n, _Out_writes_(n) double* y);
B32_API void reverse_inplace(_Inout_updates_(n) int32_t* v, int n);
B32_API int fill_bytes(_Out_writes_bytes_(size) void* buf, uint32_t size, uint8_t value);

B32_API size_t str_len(_In_z_ const char* s);
B32_API int upper(_Inout_z_ char* s);
B32_API int greet(_In_z_ const char* name, _Out_writes_z_(size) char* out, int size);
B32_API _Ret_z_ const char* version_string(void);
B32_API _Ret_writes_(n) const int32_t* squares(int n);

B32_API int apply(int (*f)(int), int x);
B32_API int sum_with(int (*f)(void* ctx, int i), void* ctx, int n);
B32_API int apply_on_thread(int (*f)(int), int x);
B32_API void set_listener(_Kept_ void (*f)(int));
B32_API void fire(int times);
B32_API void fire_from_thread(int times);

B32_API int fail_with(int code);
B32_API void crash(void);
B32_API int slow_add(int a, int b, int ms);

B32_API B32_CONTEXT ctx_new(int start);
B32_API int ctx_next(B32_CONTEXT ctx);
B32_API void ctx_free(B32_CONTEXT ctx);
#endif
