// The types the parser makes: added to its TypeStore with how deep each is (bounded), and the
// Windows and <stdint.h> type names predefined in every text without a base.
#include "library/c-parser-internal.h"

#include <algorithm>

namespace bridge32::library {

const Type* DeclarationParser::add(Type type) {
  const Type* added = &store_->add(std::move(type));
  noteDepth(added, structuralDepth(*added));
  return added;
}

int DeclarationParser::depthOf(const Type* type) const {
  const void* key = type->kind == Type::Kind::record ? static_cast<const void*>(type->record)
                                                     : static_cast<const void*>(type);
  auto found = depths_.find(key);
  return found == depths_.end() ? 1 : found->second;
}

int DeclarationParser::structuralDepth(const Type& type) const {
  switch (type.kind) {
    case Type::Kind::pointer:
      // Equality and describe stop at a named struct: so does the depth.
      if (type.target->kind == Type::Kind::record && !type.target->record->tag.empty()) {
        return 2;
      }
      return 1 + depthOf(type.target);
    case Type::Kind::array: return 1 + depthOf(type.target);
    case Type::Kind::function: {
      int deepest = depthOf(type.signature->returnType);
      for (const Parameter& parameter : type.signature->parameters) {
        deepest = std::max(deepest, depthOf(parameter.type));
      }
      return 1 + deepest;
    }
    case Type::Kind::record: return depthOf(&type);
    default: return 1;
  }
}

void DeclarationParser::noteDepth(const void* key, int depth) {
  if (depth > kMaxDeclarationNesting) {
    failAt(peek(), "type nested deeper than " + std::to_string(kMaxDeclarationNesting) +
                       " levels");
  }
  depths_[key] = depth;
}

const Type* DeclarationParser::integer(std::string name, IntegerWidth width, bool isSigned,
                                       Character character) {
  Type type;
  type.kind = Type::Kind::integer;
  type.name = std::move(name);
  type.width = width;
  type.isSigned = isSigned;
  type.character = character;
  return add(std::move(type));
}

const Type* DeclarationParser::pointerTo(const Type* target, bool isConst) {
  Type type;
  type.kind = Type::Kind::pointer;
  type.target = target;
  type.isConst = isConst;
  return add(std::move(type));
}

const Type* DeclarationParser::constOf(const Type* type) {
  if (type->isConst) return type;
  Type copy = *type;
  copy.isConst = true;
  return add(std::move(copy));
}

const Type* DeclarationParser::renamed(const Type* type, std::string name) {
  Type copy = *type;
  copy.name = std::move(name);
  return add(std::move(copy));
}

// The keyword types, one node per spelling.
const Type* DeclarationParser::keywordType(const std::string& name,
                                           const std::function<const Type*()>& make) {
  auto found = keywordTypes_.find(name);
  if (found != keywordTypes_.end()) return found->second;
  return keywordTypes_[name] = make();
}

void DeclarationParser::predefine(const std::string& name, const Type* type) {
  typedefs_[name] = type;
}

void DeclarationParser::predefineInteger(const std::string& name, IntegerWidth width, bool isSigned,
                                         Character character) {
  predefine(name, integer(name, width, isSigned, character));
}

void DeclarationParser::predefineHandle(const std::string& name, HandleKind kind) {
  Type type;
  type.kind = Type::Kind::handle;
  type.name = name;
  type.handle = kind;
  predefine(name, add(std::move(type)));
}

void DeclarationParser::predefinePointer(const std::string& name, const std::string& target,
                                         bool toConst) {
  const Type* pointee = typedefs_.at(target);
  predefine(name, renamed(pointerTo(toConst ? constOf(pointee) : pointee), name));
}

void DeclarationParser::predefineTypes() {
  using W = IntegerWidth;
  // <stdint.h>, <stddef.h>
  predefineInteger("int8_t", W::bits8, true);
  predefineInteger("uint8_t", W::bits8, false);
  predefineInteger("int16_t", W::bits16, true);
  predefineInteger("uint16_t", W::bits16, false);
  predefineInteger("int32_t", W::bits32, true);
  predefineInteger("uint32_t", W::bits32, false);
  predefineInteger("int64_t", W::bits64, true);
  predefineInteger("uint64_t", W::bits64, false);
  for (const char* name : {"intptr_t", "ptrdiff_t", "ssize_t"}) {
    predefineInteger(name, W::pointer, true);
  }
  for (const char* name : {"uintptr_t", "size_t"}) predefineInteger(name, W::pointer, false);
  // Windows: fixed sizes on every ABI, LONG and DWORD included (Windows long is 32 bits).
  for (const char* name : {"BYTE", "UCHAR", "BOOLEAN"}) predefineInteger(name, W::bits8, false);
  predefineInteger("CHAR", W::bits8, true, Character::narrow);
  for (const char* name : {"WORD", "USHORT", "ATOM"}) predefineInteger(name, W::bits16, false);
  predefineInteger("SHORT", W::bits16, true);
  predefineInteger("WCHAR", W::bits16, false, Character::wide);  // UTF-16 on every ABI
  for (const char* name : {"BOOL", "INT", "LONG", "HRESULT"}) {
    predefineInteger(name, W::bits32, true);
  }
  for (const char* name : {"DWORD", "UINT", "ULONG", "COLORREF"}) {
    predefineInteger(name, W::bits32, false);
  }
  predefineInteger("LONGLONG", W::bits64, true);
  for (const char* name : {"ULONGLONG", "DWORD64"}) predefineInteger(name, W::bits64, false);
  for (const char* name : {"LONG_PTR", "INT_PTR", "SSIZE_T", "LPARAM", "LRESULT"}) {
    predefineInteger(name, W::pointer, true);
  }
  for (const char* name : {"ULONG_PTR", "UINT_PTR", "DWORD_PTR", "SIZE_T", "WPARAM"}) {
    predefineInteger(name, W::pointer, false);
  }
  Type single;
  single.kind = Type::Kind::floating;
  single.floatBytes = 4;
  single.name = "FLOAT";
  predefine("FLOAT", add(single));
  Type twice = single;
  twice.floatBytes = 8;
  twice.name = "DOUBLE";
  predefine("DOUBLE", add(twice));
  for (const char* name : {"HWND", "HDC", "HBRUSH", "HPEN", "HFONT", "HBITMAP", "HICON",
                           "HMENU", "HGDIOBJ", "HRGN", "HPALETTE", "HCURSOR", "HMONITOR",
                           "HACCEL", "HHOOK"}) {
    predefineHandle(name, HandleKind::window);
  }
  for (const char* name : {"HANDLE", "HKEY", "HGLOBAL", "HLOCAL"}) {
    predefineHandle(name, HandleKind::kernel);
  }
  for (const char* name : {"HMODULE", "HINSTANCE"}) predefineHandle(name, HandleKind::module);
  predefineVoidAndPointers();
}

void DeclarationParser::predefineVoidAndPointers() {
  Type voidType;
  voidType.name = "void";
  predefine("VOID", renamed(add(voidType), "VOID"));
  const Type* plainVoid = add(voidType);
  predefine("LPVOID", renamed(pointerTo(plainVoid), "LPVOID"));
  predefine("PVOID", renamed(pointerTo(plainVoid), "PVOID"));
  predefine("LPCVOID", renamed(pointerTo(constOf(plainVoid)), "LPCVOID"));
  struct PointerName {
    const char* name;
    const char* target;
    bool toConst;
  };
  static constexpr PointerName kPointers[] = {
      {"LPSTR", "CHAR", false},     {"PSTR", "CHAR", false},     {"LPCSTR", "CHAR", true},
      {"PCSTR", "CHAR", true},      {"LPWSTR", "WCHAR", false},  {"PWSTR", "WCHAR", false},
      {"LPCWSTR", "WCHAR", true},   {"PCWSTR", "WCHAR", true},   {"LPDWORD", "DWORD", false},
      {"PDWORD", "DWORD", false},   {"LPBYTE", "BYTE", false},   {"PBYTE", "BYTE", false},
      {"LPBOOL", "BOOL", false},    {"PBOOL", "BOOL", false},    {"LPINT", "INT", false},
      {"PINT", "INT", false},       {"LPLONG", "LONG", false},   {"PLONG", "LONG", false},
      {"PULONG", "ULONG", false},   {"LPWORD", "WORD", false},   {"PWORD", "WORD", false},
      {"PHANDLE", "HANDLE", false}, {"LPHANDLE", "HANDLE", false}};
  for (const PointerName& pointer : kPointers) {
    predefinePointer(pointer.name, pointer.target, pointer.toConst);
  }
}

}  // namespace bridge32::library
