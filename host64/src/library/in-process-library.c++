#include "library/in-process-library.h"

#include <mutex>

#include "library/declaration-shapes.h"
#include "library/foreign-library.h"
#include "library/function-info.h"

#if _WIN32
#include "win32.h"
#endif

namespace bridge32 {

namespace {

using library::ForeignFunction;
using library::ForeignLibrary;

// One call at a time per library, as in a surrogate.
struct InProcessState {
  explicit InProcessState(const std::filesystem::path& path) : library(path) {}
  ForeignLibrary library;
  std::mutex calls;
};

class InProcessFunction final : public BoundFunction {
 public:
  InProcessFunction(std::shared_ptr<InProcessState> state,
                    std::shared_ptr<const ForeignFunction> function, std::string declaration)
      : state_(std::move(state)),
        function_(std::move(function)),
        declaration_(std::move(declaration)),
        info_(infoOf(function_->signature())) {}

  const std::string& name() const override { return function_->signature().name; }
  const std::string& declaration() const override { return declaration_; }
  bool returnsVoid() const override {
    return function_->signature().result->kind == library::Shape::Kind::voidType;
  }
  const FunctionInfo& info() const override { return info_; }

  CallResult call(std::span<const Value> arguments, std::span<const Callback> callbacks) override {
    std::lock_guard lock(state_->calls);
    return function_->call(arguments, callbacks);
  }

 private:
  std::shared_ptr<InProcessState> state_;
  std::shared_ptr<const ForeignFunction> function_;
  std::string declaration_;
  FunctionInfo info_;
};

class InProcessLibrary final : public LoadedLibrary {
 public:
  explicit InProcessLibrary(const std::filesystem::path& path)
      : state_(std::make_shared<InProcessState>(path)) {}

  const std::filesystem::path& path() const override { return state_->library.path(); }
  Architecture architecture() const override { return thisArchitecture(); }
  bool isBridged() const override { return false; }
  uint32_t surrogatePid() const override { return 0; }

  std::shared_ptr<BoundFunction> bindFunction(std::shared_ptr<const library::Signature> function,
                                         std::string declaration) override {
    library::FunctionShape shape = library::describeFunction(*function, library::nativeAbi());
    std::lock_guard lock(state_->calls);
    return std::make_shared<InProcessFunction>(state_, state_->library.bind(std::move(shape)),
                                               std::move(declaration));
  }

 protected:
  void* duplicateFromLibrary([[maybe_unused]] uint64_t handle) override {
#if _WIN32
    HANDLE ours = nullptr;
    if (!DuplicateHandle(GetCurrentProcess(), reinterpret_cast<HANDLE>(uintptr_t(handle)),
                         GetCurrentProcess(), &ours, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
      win32::throwLastError("duplicate handle " + std::to_string(handle));
    }
    return ours;
#else
    throw Error(Error::Kind::unsupported, "kernel handles exist on Windows only");
#endif
  }

 private:
  std::shared_ptr<InProcessState> state_;
};

}  // namespace

std::unique_ptr<LoadedLibrary> loadInProcessLibrary(const std::filesystem::path& path) {
  return std::make_unique<InProcessLibrary>(path);
}

}  // namespace bridge32
