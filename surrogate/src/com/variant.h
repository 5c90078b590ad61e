// VARIANTs as ComValues and back, in the surrogate (Windows). Objects are the COM objects
// themselves: a VT_DISPATCH becomes a ComValue holding a DispatchObject, which holds a reference
// to the object and releases it when the last ComValue or server holding it goes ([plugin
// thread]: see com-kind.c++).
#pragma once
#if _WIN32

#include <oaidl.h>

#include <string>

#include "bridge32/com-value.h"

namespace bridge32 {

// A COM object a ComValue refers to: one reference of its own.
class DispatchObject final : public ComReference {
 public:
  explicit DispatchObject(IDispatch* object) : object_(object) { object_->AddRef(); }
  ~DispatchObject() override { object_->Release(); }
  DispatchObject(const DispatchObject&) = delete;
  DispatchObject& operator=(const DispatchObject&) = delete;

  IDispatch* get() const { return object_; }

 private:
  IDispatch* object_;
};

// [module thread] `variant` (VT_BYREF followed) as a ComValue. Throws Error(unsupported) naming
// the VARTYPE for one automation has no ComValue for (VT_UNKNOWN without IDispatch, VT_RECORD).
ComValue fromVariant(const VARIANT& variant);

// [module thread] `value` as a VARIANT the caller clears (VariantClear). Objects must be
// DispatchObjects. Throws Error(invalidArgument) for what no VARIANT can hold.
void toVariant(const ComValue& value, VARIANT& variant);

}  // namespace bridge32

#endif
