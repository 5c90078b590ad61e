/* bridge32's <ctype.h>: nothing a declaration needs */
#pragma once
