/* bridge32's <assert.h>: nothing a declaration needs */
#pragma once
