/* bridge32's <combaseapi.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
