#include "com/type-info.h"

#if _WIN32

#include <oleauto.h>

#include <string>

#include "win32.h"

namespace bridge32 {

std::string guidText(const GUID& guid) {
  wchar_t text[64] = {};
  StringFromGUID2(guid, text, 64);
  return win32::narrow(text);
}

namespace {

// The name and description the type information gives `member` (MEMBERID_NIL: the type's own).
void documentation(ITypeInfo* info, MEMBERID member, std::string* name, std::string* description) {
  BSTR nameText = nullptr, descriptionText = nullptr;
  if (FAILED(info->GetDocumentation(member, name ? &nameText : nullptr,
                                    description ? &descriptionText : nullptr, nullptr, nullptr))) {
    return;
  }
  if (name && nameText) *name = win32::narrow(nameText);
  if (description && descriptionText) *description = win32::narrow(descriptionText);
  SysFreeString(nameText);
  SysFreeString(descriptionText);
}

// `type` as IDL writes it.
std::string typeName(ITypeInfo* info, const TYPEDESC& type) {
  switch (type.vt) {
    case VT_PTR: return typeName(info, *type.lptdesc) + "*";
    case VT_SAFEARRAY: return "SAFEARRAY(" + typeName(info, *type.lptdesc) + ")";
    case VT_CARRAY: return typeName(info, type.lpadesc->tdescElem) + "[]";
    case VT_USERDEFINED: {
      ITypeInfo* referenced = nullptr;
      std::string name = "?";
      if (SUCCEEDED(info->GetRefTypeInfo(type.hreftype, &referenced))) {
        documentation(referenced, MEMBERID_NIL, &name, nullptr);
        referenced->Release();
      }
      return name;
    }
    case VT_VOID: return "void";
    case VT_HRESULT: return "HRESULT";
    case VT_I1: return "char";
    case VT_I2: return "short";
    case VT_I4: return "long";
    case VT_I8: return "hyper";
    case VT_INT: return "int";
    case VT_UI1: return "unsigned char";
    case VT_UI2: return "unsigned short";
    case VT_UI4: return "unsigned long";
    case VT_UI8: return "unsigned hyper";
    case VT_UINT: return "unsigned int";
    case VT_R4: return "float";
    case VT_R8: return "double";
    case VT_CY: return "CURRENCY";
    case VT_DATE: return "DATE";
    case VT_BSTR: return "BSTR";
    case VT_DISPATCH: return "IDispatch*";
    case VT_UNKNOWN: return "IUnknown*";
    case VT_ERROR: return "SCODE";
    case VT_BOOL: return "VARIANT_BOOL";
    case VT_VARIANT: return "VARIANT";
    case VT_DECIMAL: return "DECIMAL";
    case VT_LPSTR: return "LPSTR";
    case VT_LPWSTR: return "LPWSTR";
  }
  return "VARTYPE " + std::to_string(type.vt);
}

ComMemberInfo::Kind kindOf(INVOKEKIND kind) {
  switch (kind) {
    case INVOKE_PROPERTYGET: return ComMemberInfo::Kind::propertyGet;
    case INVOKE_PROPERTYPUT: return ComMemberInfo::Kind::propertyPut;
    case INVOKE_PROPERTYPUTREF: return ComMemberInfo::Kind::propertyPutRef;
    default: return ComMemberInfo::Kind::method;
  }
}

ComMemberInfo readFunction(ITypeInfo* info, const FUNCDESC& function) {
  ComMemberInfo member;
  member.id = function.memid;
  member.kind = kindOf(function.invkind);
  member.type = typeName(info, function.elemdescFunc.tdesc);
  member.varargs = function.cParamsOpt == -1;
  std::vector<BSTR> names(size_t(function.cParams) + 1, nullptr);
  UINT named = 0;
  info->GetNames(function.memid, names.data(), UINT(names.size()), &named);
  if (named > 0 && names[0]) member.name = win32::narrow(names[0]);
  documentation(info, function.memid, nullptr, &member.description);
  for (SHORT i = 0; i < function.cParams; ++i) {
    const ELEMDESC& element = function.lprgelemdescParam[i];
    USHORT flags = element.paramdesc.wParamFlags;
    if (flags & PARAMFLAG_FRETVAL) {
      // A vtable function's [out, retval]: the result a late-bound caller gets.
      if (element.tdesc.vt == VT_PTR) member.type = typeName(info, *element.tdesc.lptdesc);
      continue;
    }
    if (flags & PARAMFLAG_FLCID) continue;
    ComParameterInfo parameter;
    // A put's value has no name.
    parameter.name = UINT(i) + 1 < named && names[i + 1] ? win32::narrow(names[i + 1]) : "value";
    parameter.type = typeName(info, element.tdesc);
    parameter.optional = (flags & (PARAMFLAG_FOPT | PARAMFLAG_FHASDEFAULT)) ||
                         (function.cParamsOpt > 0 && i >= function.cParams - function.cParamsOpt);
    parameter.output = flags & PARAMFLAG_FOUT;
    member.parameters.push_back(std::move(parameter));
  }
  for (BSTR name : names) SysFreeString(name);
  return member;
}

}  // namespace

std::string memberName(ITypeInfo* info, MEMBERID member) {
  std::string name;
  documentation(info, member, &name, nullptr);
  return name;
}

ComTypeInfo readTypeInfo(ITypeInfo* given) {
  ITypeInfo* info = given;
  info->AddRef();
  TYPEATTR* attributes = nullptr;
  if (FAILED(info->GetTypeAttr(&attributes))) {
    info->Release();
    return {};
  }
  // A dual interface: its dispatch view, which is what late binding calls.
  if (attributes->typekind == TKIND_INTERFACE && (attributes->wTypeFlags & TYPEFLAG_FDUAL)) {
    HREFTYPE dispatchView = 0;
    ITypeInfo* view = nullptr;
    if (SUCCEEDED(info->GetRefTypeOfImplType(UINT(-1), &dispatchView)) &&
        SUCCEEDED(info->GetRefTypeInfo(dispatchView, &view))) {
      TYPEATTR* viewAttributes = nullptr;
      if (SUCCEEDED(view->GetTypeAttr(&viewAttributes))) {
        info->ReleaseTypeAttr(attributes);
        info->Release();
        info = view;
        attributes = viewAttributes;
      } else {
        view->Release();
      }
    }
  }

  ComTypeInfo type;
  type.guid = guidText(attributes->guid);
  documentation(info, MEMBERID_NIL, &type.name, &type.description);
  for (UINT i = 0; i < attributes->cFuncs; ++i) {
    FUNCDESC* function = nullptr;
    if (FAILED(info->GetFuncDesc(i, &function))) continue;
    if (!(function->wFuncFlags & FUNCFLAG_FRESTRICTED)) {
      type.members.push_back(readFunction(info, *function));
    }
    info->ReleaseFuncDesc(function);
  }
  // A dispinterface's properties: a get, and a put unless read-only.
  for (UINT i = 0; i < attributes->cVars; ++i) {
    VARDESC* variable = nullptr;
    if (FAILED(info->GetVarDesc(i, &variable))) continue;
    if (variable->varkind == VAR_DISPATCH && !(variable->wVarFlags & VARFLAG_FRESTRICTED)) {
      ComMemberInfo get;
      get.id = variable->memid;
      get.kind = ComMemberInfo::Kind::propertyGet;
      get.type = typeName(info, variable->elemdescVar.tdesc);
      documentation(info, variable->memid, &get.name, &get.description);
      if (!(variable->wVarFlags & VARFLAG_FREADONLY)) {
        ComMemberInfo put = get;
        put.kind = ComMemberInfo::Kind::propertyPut;
        put.type = "void";
        put.parameters.push_back({"value", get.type, false, false});
        type.members.push_back(std::move(get));
        type.members.push_back(std::move(put));
      } else {
        type.members.push_back(std::move(get));
      }
    }
    info->ReleaseVarDesc(variable);
  }
  info->ReleaseTypeAttr(attributes);
  info->Release();
  return type;
}

}  // namespace bridge32

#endif
