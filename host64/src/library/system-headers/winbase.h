/* bridge32's <winbase.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
