/* bridge32's <specstrings.h>: SAL is the parser's own */
#pragma once
