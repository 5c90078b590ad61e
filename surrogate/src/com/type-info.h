// [plugin thread] What an object's type information (ITypeInfo) says of its members, read into a
// ComTypeInfo: the dispatch view (a dual interface's dispinterface), members callers may call
// (restricted ones left out), parameters as a late-bound caller passes them (no [retval] or
// [lcid]), types as IDL writes them.
#pragma once

#if _WIN32

#include <oaidl.h>

#include "bridge32/com-type.h"

namespace bridge32 {

ComTypeInfo readTypeInfo(ITypeInfo* info);

}  // namespace bridge32

#endif
