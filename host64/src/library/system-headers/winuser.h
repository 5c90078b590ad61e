/* bridge32's <winuser.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
