/* bridge32's <unistd.h> */
#pragma once
#include <sys/types.h>
