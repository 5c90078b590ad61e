/* bridge32's <math.h>: nothing a declaration needs */
#pragma once
