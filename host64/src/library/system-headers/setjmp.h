/* bridge32's <setjmp.h>: nothing a declaration needs */
#pragma once
