/* bridge32's <float.h>: nothing a declaration needs */
#pragma once
