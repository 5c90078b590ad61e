/* bridge32's <winerror.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
