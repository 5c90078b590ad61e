/* bridge32's <memory.h> */
#pragma once
#include <stddef.h>
