/* bridge32's <time.h> */
#pragma once
#include <stddef.h>
#if defined(_WIN32)
typedef long long time_t;   /* MSVC's, unless _USE_32BIT_TIME_T */
typedef long clock_t;
#else
typedef long time_t;
typedef long clock_t;
#endif
struct tm {
  int tm_sec; int tm_min; int tm_hour; int tm_mday; int tm_mon; int tm_year;
  int tm_wday; int tm_yday; int tm_isdst;
#if !defined(_WIN32)
  long tm_gmtoff; const char* tm_zone;
#endif
};
struct timespec { time_t tv_sec; long tv_nsec; };
