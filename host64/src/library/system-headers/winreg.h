/* bridge32's <winreg.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
