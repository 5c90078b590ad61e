/* bridge32's <wtypes.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
