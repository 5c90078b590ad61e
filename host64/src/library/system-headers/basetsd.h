/* bridge32's <basetsd.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
