// Compiles the SDK headers as C++; their static assertions check the layout.
#include "bridge32/ext/events.h"
#include "bridge32/ext/gui.h"
#include "bridge32/ext/params.h"
#include "bridge32/ext/process.h"
#include "bridge32/ext/programs.h"
#include "bridge32/ext/state.h"
#include "bridge32/sdk.h"
