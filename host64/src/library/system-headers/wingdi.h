/* bridge32's <wingdi.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
