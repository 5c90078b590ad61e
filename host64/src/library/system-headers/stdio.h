/* bridge32's <stdio.h>: FILE is a pointer the bridge never looks through. */
#pragma once
#include <stddef.h>
#include <stdarg.h>
typedef struct _iobuf FILE;
typedef int64_t fpos_t;
#define EOF (-1)
#define BUFSIZ 512
#define FILENAME_MAX 260
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
