// bridge32 host API: use modules of either bitness from a 64-bit application. Everything
// bridge32 offers, by module kind:
//   bridge32/surrogate.h  where modules run, call deadlines, hangs, restarts, shared surrogates
//   bridge32/plugin.h     plugins written against bridge32's SDK, and VST2 plugins (PluginModule)
//   bridge32/library.h    any DLL's exports, called by their C declarations (Library)
//   bridge32/com.h        COM automation objects (ComClass, ComObject)
//   bridge32/log.h        where bridge32's log records go (nowhere unless the application says)
#pragma once

#include "bridge32/com.h"
#include "bridge32/library.h"
#include "bridge32/log.h"
#include "bridge32/plugin.h"
#include "bridge32/surrogate.h"
