/* bridge32's <malloc.h> */
#pragma once
#include <stddef.h>
