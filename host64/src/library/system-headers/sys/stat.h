/* bridge32's <sys/stat.h> */
#pragma once
#include <sys/types.h>
