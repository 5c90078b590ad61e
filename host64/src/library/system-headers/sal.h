/* bridge32's <sal.h>: SAL is the parser's own */
#pragma once
