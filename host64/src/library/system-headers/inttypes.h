/* bridge32's <inttypes.h> */
#pragma once
#include <stdint.h>
