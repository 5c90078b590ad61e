/* bridge32's <ole2.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
