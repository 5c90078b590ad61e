/* bridge32's <oleauto.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
