/* bridge32's <minwindef.h>: its types are in <windows.h> */
#pragma once
#include <windows.h>
