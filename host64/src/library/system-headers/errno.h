/* bridge32's <errno.h>: nothing a declaration needs */
#pragma once
