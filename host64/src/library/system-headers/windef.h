/* bridge32's <windef.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
