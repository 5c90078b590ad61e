/* bridge32's <stdbool.h>: bool is the parser's own. */
#pragma once
#define _Bool bool
#define true 1
#define false 0
#define __bool_true_false_are_defined 1
