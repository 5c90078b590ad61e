/* bridge32's <oaidl.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
