/* bridge32's <objbase.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
