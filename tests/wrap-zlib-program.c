/* A 64-bit program written against zlib.h, as any is, linked with -lz: run with the wrapper of
   a 32-bit zlib that `bridge32 wrap` made (of Debian's i386 libz.so.1, first on its library
   path; of MinGW's i686 zlib1.dll, beside it), it calls the 32-bit zlib in a surrogate without
   knowing (tests/wrap-test.c++). It prints what it got, and which file its zlib came from; exit
   status 0 when every answer is right. */
#if _WIN32
#include <windows.h>
#else
#define _GNU_SOURCE
#include <dlfcn.h>
#endif
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(void) {
  int failures = 0;
  const char* version = zlibVersion();
  printf("zlibVersion: %s\n", version);
  failures += strncmp(version, "1.", 2) != 0;

  unsigned char text[4000];
  for (size_t i = 0; i < sizeof text; ++i) text[i] = (unsigned char)("bridge32 wraps zlib. "[i % 21]);
  uLong bound = compressBound(sizeof text);
  printf("compressBound(%zu): %lu\n", sizeof text, bound);
  failures += bound < sizeof text;

  unsigned char packed[8192];
  uLongf packedLength = sizeof packed;
  int status = compress(packed, &packedLength, text, sizeof text);
  printf("compress: %d, %zu -> %lu bytes\n", status, sizeof text, (unsigned long)packedLength);
  failures += status != Z_OK || packedLength >= sizeof text / 4;

  unsigned char unpacked[sizeof text + 16];
  uLongf unpackedLength = sizeof unpacked;
  status = uncompress(unpacked, &unpackedLength, packed, packedLength);
  printf("uncompress: %d, %lu bytes, %s\n", status, (unsigned long)unpackedLength,
         unpackedLength == sizeof text && memcmp(unpacked, text, sizeof text) == 0 ? "the same"
                                                                                   : "DIFFERENT");
  failures += status != Z_OK || unpackedLength != sizeof text ||
              memcmp(unpacked, text, sizeof text) != 0;

  uLong crc = crc32(0L, (const Bytef*)"hello", 5);
  uLong adler = adler32(1L, (const Bytef*)"hello", 5);
  printf("crc32(hello): 0x%08lx, adler32(hello): 0x%08lx\n", crc, adler);
  failures += crc != 0x3610a686UL || adler != 0x062c0215UL;

  /* Where its zlib came from, and whether bridge32's wrap runtime came with it (a file name
     alone does not tell: Wine reports its own built-in zlib1.dll under the program's
     directory). */
#if _WIN32
  char where[MAX_PATH];
  if (GetModuleFileNameA(GetModuleHandleA("zlib1.dll"), where, sizeof where)) {
    printf("compress from: %s\n", where);
  }
  printf("bridge32 runtime: %s\n", GetModuleHandleA("bridge32-wrap.dll") ? "loaded" : "absent");
#else
  Dl_info where;
  if (dladdr((void*)&compress, &where) && where.dli_fname) {
    printf("compress from: %s\n", where.dli_fname);
  }
  printf("bridge32 runtime: %s\n",
         dlopen("libbridge32-wrap.so", RTLD_LAZY | RTLD_NOLOAD) ? "loaded" : "absent");
#endif
  printf("%s\n", failures ? "FAILED" : "all right");
  return failures ? 1 : 0;
}
