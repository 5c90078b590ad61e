/* bridge32's <winnt.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
