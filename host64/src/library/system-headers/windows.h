/* bridge32's <windows.h>: what declarations of a Windows API need. The integer, handle and
   string-pointer types (DWORD, HANDLE, HWND, LPCSTR, ...) and the calling conventions (WINAPI,
   CALLBACK, ...) are the parser's own; these are the rest of the common ones. With real headers
   (--system-headers), MinGW-w64's are read instead. */
#pragma once
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <wchar.h>

#define WIN32_LEAN_AND_MEAN_BRIDGE32 1
#ifndef WINVER
#define WINVER 0x0A00
#endif
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#define TRUE 1
#define FALSE 0
#define MAX_PATH 260
#define DECLSPEC_IMPORT __declspec(dllimport)
#define DECLSPEC_EXPORT __declspec(dllexport)
#define DECLARE_HANDLE(name) typedef HANDLE name
#define S_OK ((HRESULT)0)
#define S_FALSE ((HRESULT)1)
#define ERROR_SUCCESS 0
#define INFINITE 0xFFFFFFFF

typedef char CCHAR;
typedef unsigned char UINT8;
typedef signed char INT8;
typedef unsigned short UINT16;
typedef short INT16;
typedef unsigned int UINT32;
typedef int INT32;
typedef unsigned long long UINT64;
typedef long long INT64;
typedef unsigned long long QWORD;
typedef int LONG32;
typedef unsigned int ULONG32, DWORD32;
typedef long long LONG64;
typedef unsigned long long ULONG64;
typedef float* PFLOAT;
typedef DWORD LCID;
typedef WORD LANGID;
typedef DWORD LCTYPE;
typedef LONG NTSTATUS;
typedef HANDLE HGLRC;
typedef HANDLE HDESK;
typedef HANDLE HWINSTA;
typedef HANDLE HDROP;
typedef HANDLE HRSRC;
typedef HANDLE HDWP;
typedef HANDLE HENHMETAFILE;
typedef HANDLE HMETAFILE;
typedef HANDLE HCOLORSPACE;
typedef int HFILE;
typedef WCHAR* BSTR;
typedef const WCHAR* LPCOLESTR;
typedef WCHAR* LPOLESTR;
typedef WCHAR OLECHAR;
typedef short VARIANT_BOOL;
typedef LONG SCODE;
typedef double DATE;
typedef LONGLONG USN;

#ifdef UNICODE
typedef WCHAR TCHAR;
typedef LPWSTR LPTSTR;
typedef LPCWSTR LPCTSTR;
#define TEXT(quote) L##quote
#else
typedef char TCHAR;
typedef LPSTR LPTSTR;
typedef LPCSTR LPCTSTR;
#define TEXT(quote) quote
#endif
typedef TCHAR* PTSTR;
typedef const TCHAR* PCTSTR;
typedef TCHAR TBYTE;

typedef struct _GUID { unsigned long Data1; unsigned short Data2; unsigned short Data3;
                       unsigned char Data4[8]; } GUID;
typedef GUID IID;
typedef GUID CLSID;
typedef GUID* LPGUID;
typedef IID* LPIID;
typedef CLSID* LPCLSID;
#define REFGUID const GUID*
#define REFIID const IID*
#define REFCLSID const CLSID*

typedef struct tagRECT { LONG left; LONG top; LONG right; LONG bottom; } RECT, *PRECT, *LPRECT;
typedef const RECT* LPCRECT;
typedef struct tagPOINT { LONG x; LONG y; } POINT, *PPOINT, *LPPOINT;
typedef struct tagSIZE { LONG cx; LONG cy; } SIZE, *PSIZE, *LPSIZE;
typedef struct tagPOINTS { SHORT x; SHORT y; } POINTS;
typedef struct _FILETIME { DWORD dwLowDateTime; DWORD dwHighDateTime; } FILETIME, *PFILETIME,
    *LPFILETIME;
typedef struct _SYSTEMTIME { WORD wYear; WORD wMonth; WORD wDayOfWeek; WORD wDay; WORD wHour;
                             WORD wMinute; WORD wSecond; WORD wMilliseconds; } SYSTEMTIME,
    *PSYSTEMTIME, *LPSYSTEMTIME;
typedef union _LARGE_INTEGER {
  struct { DWORD LowPart; LONG HighPart; } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef union _ULARGE_INTEGER {
  struct { DWORD LowPart; DWORD HighPart; } u;
  ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;
typedef struct _SECURITY_ATTRIBUTES { DWORD nLength; LPVOID lpSecurityDescriptor;
                                      BOOL bInheritHandle; } SECURITY_ATTRIBUTES,
    *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;
typedef struct _OVERLAPPED {
  ULONG_PTR Internal; ULONG_PTR InternalHigh;
  union { struct { DWORD Offset; DWORD OffsetHigh; } s; PVOID Pointer; } u;
  HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;
typedef struct tagMSG { HWND hwnd; UINT message; WPARAM wParam; LPARAM lParam; DWORD time;
                        POINT pt; } MSG, *PMSG, *LPMSG;
typedef LRESULT (CALLBACK* WNDPROC)(HWND, UINT, WPARAM, LPARAM);
typedef BOOL (CALLBACK* WNDENUMPROC)(HWND, LPARAM);
typedef int (WINAPI* FARPROC)(void);
typedef DWORD (WINAPI* LPTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
