#include "core/allocation-count.h"

#include <cstdlib>
#include <new>

namespace bridge32 {
namespace {
thread_local uint64_t allocations = 0;
}  // namespace

uint64_t allocationsOnThisThread() { return allocations; }

}  // namespace bridge32

// The replacements: count, then allocate as the default ones do. The aligned and nothrow forms
// fall through to these or are counted alike.
void* operator new(std::size_t size) {
  ++bridge32::allocations;
  for (;;) {
    if (void* memory = std::malloc(size ? size : 1)) return memory;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return ::operator new(size, std::nothrow);
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
