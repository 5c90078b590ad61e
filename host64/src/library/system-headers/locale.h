/* bridge32's <locale.h>: nothing a declaration needs */
#pragma once
