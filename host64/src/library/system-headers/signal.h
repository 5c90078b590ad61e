/* bridge32's <signal.h>: nothing a declaration needs */
#pragma once
