/* bridge32's <fcntl.h> */
#pragma once
#include <sys/types.h>
