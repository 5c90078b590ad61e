// The C API of libraries called by declaration (include/bridge32/bridge32.h): LoadedLibrary,
// BoundFunction and CallResult behind opaque handles.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/c-api.h"
#include "library/c-literals.h"
#include "library/header-report.h"
#include "library/loaded-library.h"
#include "transport/bulk-copy.h"

using namespace bridge32;
using namespace bridge32::c_api;

struct bridge32_library {
  std::shared_ptr<LoadedLibrary> library;
  std::string path;  // UTF-8
};

struct bridge32_header_report {
  HeaderReport report;
};

// A function, and its FunctionInfo as C parameter infos (which point into it).
struct bridge32_function {
  explicit bridge32_function(std::shared_ptr<BoundFunction> bound);
  std::shared_ptr<BoundFunction> function;
  bridge32_parameter_info result;
  std::vector<bridge32_parameter_info> parameters;
  std::deque<std::vector<bridge32_parameter_info>> nested;  // fields and elements

 private:
  bridge32_parameter_info describe(const ParameterInfo& parameter);
};

struct bridge32_buffer {
  LoadedLibrary::Block block;
  size_t count;
};

struct bridge32_result {
  CallResult result;
  CValues values;  // of `result`
  const bridge32_value* value = nullptr;
  std::vector<const bridge32_value*> outputs;
};

struct bridge32_literal {
  Value value;
  CValues values;  // of `value`
  const bridge32_value* converted = nullptr;
};

struct bridge32_registration {
  std::shared_ptr<void> kept;
};

bridge32_function::bridge32_function(std::shared_ptr<BoundFunction> bound)
    : function(std::move(bound)) {
  const FunctionInfo& info = function->info();
  result = describe(info.result);
  for (const auto& parameter : info.parameters) parameters.push_back(describe(parameter));
}

bridge32_parameter_info bridge32_function::describe(const ParameterInfo& parameter) {
  bridge32_parameter_info info{};
  info.name = parameter.name.c_str();
  info.name_length = parameter.name.size();
  info.kind = bridge32_parameter_kind(parameter.kind);
  info.is_signed = parameter.isSigned;
  info.size = parameter.size;
  info.type = parameter.type.c_str();
  info.type_length = parameter.type.size();
  info.is_input = parameter.isInput;
  info.is_output = parameter.isOutput;
  // Each list filled within its reserve, so that the infos pointing into it stay put.
  if (!parameter.fields.empty()) {
    auto& fields = nested.emplace_back();
    fields.reserve(parameter.fields.size());
    for (const auto& field : parameter.fields) fields.push_back(describe(field));
    info.fields = fields.data();
    info.field_count = fields.size();
  }
  if (!parameter.element.empty()) {
    auto& element = nested.emplace_back();
    element.reserve(1);
    element.push_back(describe(parameter.element.front()));
    info.element = element.data();
  }
  return info;
}

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
    bridge32_error* error = nullptr;
    bridge32_status status = function(context, items, arguments.size(), &answer, &error);
    if (status != BRIDGE32_OK) {
      std::string who = "callback " + std::to_string(position + 1);
      if (!error) throw returnedStatus(who, status);
      // Its own words, of its own kind (the status it returned, if the error says none).
      std::unique_ptr<bridge32_error, void (*)(bridge32_error*)> owned(error, bridge32_error_free);
      Error::Kind kind = error->error.kind();
      throw Error(kind, who + " failed: " + error->error.message());
    }
    if (error) bridge32_error_free(error);
    return toValue(answer, ValuePlace("the result of callback", position + 1, ""));
  };
}

// `count` texts from `list`, named `what` in errors.
std::vector<std::string> texts(const bridge32_string* list, size_t count, std::string_view what) {
  if (!list && count != 0) throw Error(Error::Kind::invalidArgument, std::string(what) + " is NULL");
  std::vector<std::string> all;
  for (size_t i = 0; i < count; ++i) all.emplace_back(text(list[i], what));
  return all;
}

// The header options a C caller gave (NULL: the defaults).
HeaderOptions headerOptions(const bridge32_header_options* options) {
  HeaderOptions read;
  if (!options) return read;
  const bridge32_header_options given =
      covered(*options, "header options", "bridge32_header_options_init");
  for (auto& directory : texts(given.include_directories, given.include_directory_count,
                               "include_directories")) {
    read.includeDirectories.push_back(pathFromUtf8(directory));
  }
  read.defines = texts(given.defines, given.define_count, "defines");
  read.undefines = texts(given.undefines, given.undefine_count, "undefines");
  read.systemHeaders = pathFromUtf8(text(given.system_headers, "system_headers"));
  return read;
}

}  // namespace

extern "C" {

bridge32_status BRIDGE32_CALL bridge32_library_load(const char* path, size_t path_length,
                                                    const bridge32_load_options* options,
                                                    bridge32_library** library,
                                                    bridge32_error** error) {
  return guarded(error, [&] {
    LoadOptions given = loadOptions(options);  // first: its events are released however it ends
    auto& out = required(library, "library");
    out = nullptr;
    std::filesystem::path file = pathFromUtf8(text(path, path_length, "path"));
    auto loaded = LoadedLibrary::load(file, std::move(given));
    std::string loadedPath = utf8(loaded->path());
    out = new bridge32_library{std::move(loaded), std::move(loadedPath)};
  });
}

bridge32_library* BRIDGE32_CALL bridge32_library_duplicate(bridge32_library* library) {
  if (!library) return nullptr;
  try {
    return new bridge32_library{*library};
  } catch (...) {
    return nullptr;
  }
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

const char* BRIDGE32_CALL bridge32_library_path(const bridge32_library* library, size_t* length) {
  return stringOf(library ? &library->path : nullptr, length);
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
    HeaderOptions read = headerOptions(options);
    required(library, "library").library->include(
        pathFromUtf8(text(header, header_length, "header")), read);
  });
}

bridge32_status BRIDGE32_CALL bridge32_header_report_make(
    const char* path, size_t path_length, const bridge32_string* headers, size_t header_count,
    const bridge32_header_options* options, const bridge32_string* declarations,
    size_t declaration_count, bridge32_header_report** report, bridge32_error** error) {
  if (report) *report = nullptr;
  return guarded(error, [&] {
    auto& out = required(report, "report");
    std::vector<std::filesystem::path> files;
    for (const std::string& header : texts(headers, header_count, "headers")) {
      files.push_back(pathFromUtf8(header));
    }
    out = new bridge32_header_report{library::reportHeader(
        pathFromUtf8(text(path, path_length, "path")), files, headerOptions(options),
        texts(declarations, declaration_count, "declarations"))};
  });
}

void BRIDGE32_CALL bridge32_header_report_free(bridge32_header_report* report) { delete report; }

const char* BRIDGE32_CALL bridge32_header_report_abi(const bridge32_header_report* report,
                                                     size_t* length) {
  if (length) *length = report ? report->report.abi.size() : 0;
  return report ? report->report.abi.c_str() : "";
}

size_t BRIDGE32_CALL bridge32_header_report_function_count(const bridge32_header_report* report) {
  return report ? report->report.functions.size() : 0;
}

bridge32_status BRIDGE32_CALL bridge32_header_report_function(
    const bridge32_header_report* report, size_t index, bridge32_reported_function* function) {
  if (!report || !function || index >= report->report.functions.size()) {
    return BRIDGE32_NOT_FOUND;
  }
  const ReportedFunction& reported = report->report.functions[index];
  *function = {reported.name.c_str(), reported.name.size(), reported.exported,
               bridge32_callability(reported.status), reported.detail.c_str(),
               reported.detail.size()};
  return BRIDGE32_OK;
}

size_t BRIDGE32_CALL bridge32_header_report_note_count(const bridge32_header_report* report) {
  return report ? report->report.notes.size() : 0;
}

const char* BRIDGE32_CALL bridge32_header_report_note(const bridge32_header_report* report,
                                                      size_t index, size_t* length) {
  if (!report || index >= report->report.notes.size()) {
    if (length) *length = 0;
    return nullptr;
  }
  if (length) *length = report->report.notes[index].size();
  return report->report.notes[index].c_str();
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
    out = new bridge32_function(std::move(bound));
  });
}

bridge32_status BRIDGE32_CALL bridge32_library_buffer(bridge32_library* library,
                                                      bridge32_element_type type, size_t count,
                                                      bridge32_buffer** buffer,
                                                      bridge32_error** error) {
  return guarded(error, [&] {
    auto& out = required(buffer, "buffer");
    out = nullptr;
    LoadedLibrary& owner = *required(library, "library").library;
    if (type < BRIDGE32_INT8 || type > BRIDGE32_FLOAT64) {
      throw Error(Error::Kind::invalidArgument, "a buffer of type " + std::to_string(int(type)) +
                                                    ": expected a bridge32_element_type");
    }
    size_t size = elementSize(ElementType(type));
    if (count > SIZE_MAX / size) {
      throw Error(Error::Kind::invalidArgument, "a buffer of " + std::to_string(count) + " " +
                                                    std::string(toString(ElementType(type))) +
                                                    ": more than memory has");
    }
    out = new bridge32_buffer{owner.allocateBlock(count * size), count};
  });
}

void* BRIDGE32_CALL bridge32_buffer_data(const bridge32_buffer* buffer) {
  return buffer ? buffer->block.bytes.data() : nullptr;
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
        toValue(required(handle, "handle"), ValuePlace("the handle")));
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
  if (index >= function->parameters.size()) return BRIDGE32_NOT_FOUND;
  *info = function->parameters[index];
  return BRIDGE32_OK;
}

bridge32_status BRIDGE32_CALL bridge32_function_result(const bridge32_function* function,
                                                       bridge32_parameter_info* info) {
  if (!function || !info) return BRIDGE32_INVALID_ARGUMENT;
  *info = function->result;
  return BRIDGE32_OK;
}

int32_t BRIDGE32_CALL bridge32_function_is_variadic(const bridge32_function* function) {
  return function && function->function->info().isVariadic;
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
    BoundFunction& callee = *required(function, "function").function;
    if (!arguments && argument_count != 0) {
      throw Error(Error::Kind::invalidArgument, "arguments is NULL");
    }
    if (!callbacks && callback_count != 0) {
      throw Error(Error::Kind::invalidArgument, "callbacks is NULL");
    }
    std::vector<Value> values;
    values.reserve(argument_count);
    for (size_t i = 0; i < argument_count; ++i) {
      values.push_back(toValue(arguments[i], ValuePlace("argument", i + 1, callee.name())));
    }
    std::vector<Callback> functions;
    functions.reserve(callback_count);
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

void BRIDGE32_CALL bridge32_copy_memory(void* to, const void* from, size_t bytes) {
  copyBulk(to, from, bytes);
}

bridge32_status BRIDGE32_CALL bridge32_literal_parse(const char* text, size_t length,
                                                    bridge32_literal** literal,
                                                    bridge32_error** error) {
  if (literal) *literal = nullptr;
  return guarded(error, [&] {
    auto& out = required(literal, "literal");
    auto made = std::make_unique<bridge32_literal>();
    made->value = library::parseLiteral(c_api::text(text, length, "text"));
    made->converted = made->values.add(made->value);
    out = made.release();
  });
}

const bridge32_value* BRIDGE32_CALL bridge32_literal_value(const bridge32_literal* literal) {
  return literal ? literal->converted : nullptr;
}

void BRIDGE32_CALL bridge32_literal_free(bridge32_literal* literal) { delete literal; }

}  // extern "C"
