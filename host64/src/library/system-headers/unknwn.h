/* bridge32's <unknwn.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
