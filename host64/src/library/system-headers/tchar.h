/* bridge32's <tchar.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
