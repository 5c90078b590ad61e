/* bridge32's <sys/types.h>: the POSIX types of the target's C library. */
#pragma once
#include <stddef.h>
#include <time.h>
#if defined(_WIN32)
typedef long off_t;
typedef long long off64_t;
typedef intptr_t ssize_t;
#else
#if defined(__x86_64__) || (defined(_FILE_OFFSET_BITS) && _FILE_OFFSET_BITS == 64)
typedef long long off_t;
#else
typedef long off_t;
#endif
typedef long long off64_t;
typedef intptr_t ssize_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int mode_t;
#endif
