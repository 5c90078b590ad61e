// The C API of libraries called by declaration (include/bridge32/bridge32.h): bridge32::Library,
// Function and CallResult behind opaque handles.
#include <memory>
#include <string>
#include <vector>

#include "bridge32/library.h"
#include "core/c-api.h"

using namespace bridge32;
using namespace bridge32::c_api;

struct bridge32_library {
  std::shared_ptr<Library> library;
};

struct bridge32_function {
  std::shared_ptr<Function> function;
};

struct bridge32_buffer {
  Value value;  // the numbers as an argument, which keeps the memory
  void* data;
  size_t count;
};

struct bridge32_result {
  CallResult result;
  CValues values;  // of `result`
  const bridge32_value* value = nullptr;
  std::vector<const bridge32_value*> outputs;
};

struct bridge32_registration {
  std::shared_ptr<void> kept;
};

namespace {

// A C function pointer and its context as the Callback a call gives the library.
Callback callbackOf(const bridge32_callback& given, size_t position) {
  if (!given.function) return {};
  return [function = given.function, context = given.context,
          position](std::span<const Value> arguments) -> Value {
    CValues converted;
    const bridge32_value* items = converted.addAll(arguments);
    bridge32_value answer{};
    answer.kind = BRIDGE32_VALUE_NULL;
    bridge32_status status = function(context, items, arguments.size(), &answer);
    if (status != BRIDGE32_OK) throw returnedStatus("callback " + std::to_string(position + 1), status);
    return toValue(answer, "the result of callback " + std::to_string(position + 1));
  };
}

template <Element T>
bridge32_buffer* bufferOf(Library& library, size_t count) {
  CallBuffer<T> buffer = library.buffer<T>(count);
  return new bridge32_buffer{buffer.value(), buffer.data().data(), count};
}

}  // namespace

extern "C" {

bridge32_status BRIDGE32_CALL bridge32_library_load(const char* path, size_t path_length,
                                                    const bridge32_load_options* options,
                                                    bridge32_library** library,
                                                    bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(library, "library");
    out = nullptr;
    std::filesystem::path file = pathFromUtf8(text(path, path_length, "path"));
    out = new bridge32_library{Library::load(file, loadOptions(options))};
  });
}

bridge32_library* BRIDGE32_CALL bridge32_library_duplicate(bridge32_library* library) {
  if (!library) return nullptr;
  return new (std::nothrow) bridge32_library{library->library};
}

void BRIDGE32_CALL bridge32_library_free(bridge32_library* library) { delete library; }

bridge32_architecture BRIDGE32_CALL bridge32_library_architecture(const bridge32_library* library) {
  return library ? toC(library->library->architecture()) : BRIDGE32_ARCH_UNKNOWN;
}

int32_t BRIDGE32_CALL bridge32_library_is_bridged(const bridge32_library* library) {
  return library && library->library->isBridged();
}

uint32_t BRIDGE32_CALL bridge32_library_surrogate_pid(const bridge32_library* library) {
  return library ? library->library->surrogatePid() : 0;
}

void BRIDGE32_CALL bridge32_header_options_init(bridge32_header_options* options) {
  if (!options) return;
  *options = bridge32_header_options{};
  options->struct_size = sizeof *options;
}

bridge32_status BRIDGE32_CALL bridge32_library_include(bridge32_library* library, const char* header,
                                                       size_t header_length,
                                                       const bridge32_header_options* options,
                                                       bridge32_error** error) {
  return guarded(error, [&] {
    HeaderOptions read;
    if (options) {
      const bridge32_header_options given =
          covered(*options, "header options", "bridge32_header_options_init");
      auto strings = [](const bridge32_string* list, size_t count, std::string_view what) {
        if (!list && count != 0) {
          throw Error(Error::Kind::invalidArgument, std::string(what) + " is NULL");
        }
        std::vector<std::string> all;
        for (size_t i = 0; i < count; ++i) all.emplace_back(text(list[i], what));
        return all;
      };
      for (auto& directory : strings(given.include_directories,
                                     given.include_directory_count, "include_directories")) {
        read.includeDirectories.push_back(pathFromUtf8(directory));
      }
      read.defines = strings(given.defines, given.define_count, "defines");
      read.undefines = strings(given.undefines, given.undefine_count, "undefines");
      read.systemHeaders = pathFromUtf8(text(given.system_headers, "system_headers"));
    }
    required(library, "library").library->include(
        pathFromUtf8(text(header, header_length, "header")), read);
  });
}

bridge32_status BRIDGE32_CALL bridge32_library_declare(bridge32_library* library,
                                                       const char* declarations, size_t length,
                                                       bridge32_error** error) {
  return guarded(error, [&] {
    required(library, "library").library->declare(text(declarations, length, "declarations"));
  });
}

bridge32_status BRIDGE32_CALL bridge32_library_function(bridge32_library* library,
                                                        const char* name_or_declarations,
                                                        size_t length, bridge32_function** function,
                                                        bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(function, "function");
    out = nullptr;
    auto bound = required(library, "library").library->function(
        text(name_or_declarations, length, "the name or declarations"));
    out = new bridge32_function{std::move(bound)};
  });
}

bridge32_status BRIDGE32_CALL bridge32_library_buffer(bridge32_library* library,
                                                      bridge32_element_type type, size_t count,
                                                      bridge32_buffer** buffer,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(buffer, "buffer");
    out = nullptr;
    Library& owner = *required(library, "library").library;
    switch (type) {
      case BRIDGE32_INT8: out = bufferOf<int8_t>(owner, count); break;
      case BRIDGE32_UINT8: out = bufferOf<uint8_t>(owner, count); break;
      case BRIDGE32_INT16: out = bufferOf<int16_t>(owner, count); break;
      case BRIDGE32_UINT16: out = bufferOf<uint16_t>(owner, count); break;
      case BRIDGE32_INT32: out = bufferOf<int32_t>(owner, count); break;
      case BRIDGE32_UINT32: out = bufferOf<uint32_t>(owner, count); break;
      case BRIDGE32_INT64: out = bufferOf<int64_t>(owner, count); break;
      case BRIDGE32_UINT64: out = bufferOf<uint64_t>(owner, count); break;
      case BRIDGE32_FLOAT32: out = bufferOf<float>(owner, count); break;
      case BRIDGE32_FLOAT64: out = bufferOf<double>(owner, count); break;
      default:
        throw Error(Error::Kind::invalidArgument, "a buffer of type " + std::to_string(int(type)) +
                                                      ": expected a bridge32_element_type");
    }
  });
}

void* BRIDGE32_CALL bridge32_buffer_data(const bridge32_buffer* buffer) {
  return buffer ? buffer->data : nullptr;
}

size_t BRIDGE32_CALL bridge32_buffer_count(const bridge32_buffer* buffer) {
  return buffer ? buffer->count : 0;
}

void BRIDGE32_CALL bridge32_buffer_free(bridge32_buffer* buffer) { delete buffer; }

bridge32_status BRIDGE32_CALL bridge32_library_duplicate_handle(bridge32_library* library,
                                                                const bridge32_value* handle,
                                                                void** duplicate,
                                                                bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(duplicate, "duplicate");
    out = nullptr;
    out = required(library, "library").library->duplicateHandle(
        toValue(required(handle, "handle"), "the handle"));
  });
}

const char* BRIDGE32_CALL bridge32_function_name(const bridge32_function* function, size_t* length) {
  return stringOf(function ? &function->function->name() : nullptr, length);
}

const char* BRIDGE32_CALL bridge32_function_declaration(const bridge32_function* function,
                                                        size_t* length) {
  return stringOf(function ? &function->function->declaration() : nullptr, length);
}

int32_t BRIDGE32_CALL bridge32_function_returns_void(const bridge32_function* function) {
  return function && function->function->returnsVoid();
}

size_t BRIDGE32_CALL bridge32_function_parameter_count(const bridge32_function* function) {
  return function ? function->function->info().parameters.size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_function_parameter(const bridge32_function* function,
                                                          size_t index,
                                                          bridge32_parameter_info* info) {
  if (!function || !info) return BRIDGE32_INVALID_ARGUMENT;
  const auto& parameters = function->function->info().parameters;
  if (index >= parameters.size()) return BRIDGE32_NOT_FOUND;
  const ParameterInfo& parameter = parameters[index];
  info->name = parameter.name.c_str();
  info->name_length = parameter.name.size();
  info->kind = bridge32_parameter_kind(parameter.kind);
  info->is_input = parameter.isInput;
  info->is_output = parameter.isOutput;
  return BRIDGE32_OK;
}

void BRIDGE32_CALL bridge32_function_free(bridge32_function* function) { delete function; }

bridge32_status BRIDGE32_CALL bridge32_function_call(bridge32_function* function,
                                                     const bridge32_value* arguments,
                                                     size_t argument_count,
                                                     const bridge32_callback* callbacks,
                                                     size_t callback_count, bridge32_result** result,
                                                     bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(result, "result");
    out = nullptr;
    Function& callee = *required(function, "function").function;
    if (!arguments && argument_count != 0) {
      throw Error(Error::Kind::invalidArgument, "arguments is NULL");
    }
    if (!callbacks && callback_count != 0) {
      throw Error(Error::Kind::invalidArgument, "callbacks is NULL");
    }
    std::vector<Value> values;
    values.reserve(argument_count);
    for (size_t i = 0; i < argument_count; ++i) {
      values.push_back(toValue(arguments[i], "argument " + std::to_string(i + 1) + " of '" +
                                                 callee.name() + "'"));
    }
    std::vector<Callback> functions;
    for (size_t i = 0; i < callback_count; ++i) functions.push_back(callbackOf(callbacks[i], i));
    auto made = std::make_unique<bridge32_result>();
    made->result = callee.call(values, functions);
    made->value = made->values.add(made->result.value);
    for (const auto& [name, value] : made->result.outputs) {
      made->outputs.push_back(made->values.add(value));
    }
    out = made.release();
  });
}

const bridge32_value* BRIDGE32_CALL bridge32_result_value(const bridge32_result* result) {
  return result ? result->value : nullptr;
}

size_t BRIDGE32_CALL bridge32_result_output_count(const bridge32_result* result) {
  return result ? result->outputs.size() : 0;
}

const bridge32_value* BRIDGE32_CALL bridge32_result_output(const bridge32_result* result,
                                                           size_t index, const char** name,
                                                           size_t* name_length) {
  if (!result || index >= result->outputs.size()) return nullptr;
  const std::string& named = result->result.outputs[index].first;
  if (name) *name = named.c_str();
  if (name_length) *name_length = named.size();
  return result->outputs[index];
}

const bridge32_value* BRIDGE32_CALL bridge32_result_output_named(const bridge32_result* result,
                                                                 const char* name, size_t length) {
  if (!result || !name) return nullptr;
  std::string_view wanted = length == BRIDGE32_NUL_TERMINATED ? std::string_view(name)
                                                              : std::string_view(name, length);
  for (size_t i = 0; i < result->outputs.size(); ++i) {
    if (result->result.outputs[i].first == wanted) return result->outputs[i];
  }
  return nullptr;
}

uint32_t BRIDGE32_CALL bridge32_result_last_error(const bridge32_result* result) {
  return result ? result->result.lastError : 0;
}

bridge32_registration* BRIDGE32_CALL bridge32_result_keep(const bridge32_result* result) {
  if (!result || !result->result.kept) return nullptr;
  return new (std::nothrow) bridge32_registration{result->result.kept};
}

void BRIDGE32_CALL bridge32_registration_free(bridge32_registration* registration) {
  delete registration;
}

void BRIDGE32_CALL bridge32_result_free(bridge32_result* result) { delete result; }

}  // extern "C"
