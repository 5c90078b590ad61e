/* bridge32's <wtypesbase.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
