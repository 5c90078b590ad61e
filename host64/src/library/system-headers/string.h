/* bridge32's <string.h> */
#pragma once
#include <stddef.h>
