"""bridge32's C API (include/bridge32/bridge32.h) as ctypes sees it: its structs, its functions'
prototypes, and the shared library that serves them.

Only this module knows the C layout; the rest of the package speaks Python. The structs mirror
the header field by field, and a change there must be made here too (the package's tests call
every function declared here against the library they ship with).
"""

import ctypes
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, Union, c_char, c_char_p, c_double, c_int32,
                    c_int64, c_size_t, c_uint16, c_uint32, c_uint64, c_void_p)

API_VERSION = 1  # BRIDGE32_API_VERSION of the header this module mirrors
NUL_TERMINATED = ctypes.c_size_t(-1).value

# bridge32_status, in order (bridge32::Error::Kind).
OK, FAILED, INVALID_ARGUMENT, NOT_FOUND, BAD_MODULE, UNSUPPORTED_VERSION, UNSUPPORTED, \
    BAD_STATE, SURROGATE_START, DISCONNECTED, TIMEOUT = range(11)

# bridge32_value_kind
(VALUE_NULL, VALUE_BOOL, VALUE_INT, VALUE_UINT, VALUE_DOUBLE, VALUE_STRING, VALUE_ARRAY,
 VALUE_STRUCT, VALUE_HANDLE, VALUE_NUMBERS) = range(10)

# bridge32_element_type: for each, its array.array type code and its size.
ELEMENT_TYPES = [  # (element type, typecode, bytes)
    (0, "b", 1), (1, "B", 1), (2, "h", 2), (3, "H", 2), (4, "i", 4), (5, "I", 4),
    (6, "q", 8), (7, "Q", 8), (8, "f", 4), (9, "d", 8)]

# bridge32_parameter_kind
(PARAMETER_NONE, PARAMETER_BOOL, PARAMETER_INTEGER, PARAMETER_FLOATING, PARAMETER_STRING,
 PARAMETER_ARRAY, PARAMETER_STRUCT, PARAMETER_HANDLE, PARAMETER_CALLBACK) = range(9)

# bridge32_isolation, bridge32_architecture
ISOLATION_AUTOMATIC, ISOLATION_IN_PROCESS, ISOLATION_SURROGATE = range(3)
ARCH_UNKNOWN, ARCH_X86, ARCH_X64 = range(3)


class String(Structure):
    _fields_ = [("data", c_void_p), ("length", c_size_t)]


class Value(Structure):
    pass


class Field(Structure):
    pass


class _Items(Structure):
    _fields_ = [("items", POINTER(Value)), ("count", c_size_t)]


class _Fields(Structure):
    _fields_ = [("fields", POINTER(Field)), ("count", c_size_t)]


class _Numbers(Structure):
    _fields_ = [("data", c_void_p), ("count", c_size_t)]


class _Handle(Structure):
    _fields_ = [("value", c_uint64), ("text", c_void_p), ("text_length", c_size_t)]


class _ValueUnion(Union):
    _fields_ = [("boolean", c_int32), ("i64", c_int64), ("u64", c_uint64), ("f64", c_double),
                ("string", String), ("array", _Items), ("structure", _Fields),
                ("numbers", _Numbers), ("handle", _Handle)]


Value._anonymous_ = ("as_",)  # value.u64 as well as value.as_.u64: one step less per call
Value._fields_ = [("kind", c_int32), ("type", c_uint32), ("as_", _ValueUnion)]
Field._fields_ = [("name", c_void_p), ("name_length", c_size_t), ("value", Value)]


class ParameterInfo(Structure):
    pass


ParameterInfo._fields_ = [
    ("name", c_char_p), ("name_length", c_size_t), ("kind", c_int32), ("is_signed", c_int32),
    ("is_input", c_int32), ("is_output", c_int32), ("fields", POINTER(ParameterInfo)),
    ("field_count", c_size_t), ("element", POINTER(ParameterInfo)), ("size", c_uint32),
    ("type", c_char_p), ("type_length", c_size_t)]


class RestartPolicy(Structure):
    _fields_ = [("automatic", c_int32), ("max_attempts", c_uint32), ("first_delay_ms", c_uint32),
                ("max_delay_ms", c_uint32), ("stable_after_ms", c_uint32)]


class LoadOptions(Structure):
    _fields_ = [("struct_size", c_uint32), ("isolation", c_int32),
                ("surrogate_directory", c_char_p), ("surrogate_directory_length", c_size_t),
                ("start_timeout_ms", c_uint32), ("call_timeout_ms", c_uint32),
                ("on_hang", c_int32), ("heartbeat_interval_ms", c_uint32),
                ("heartbeat_timeout_ms", c_uint32), ("restart", RestartPolicy),
                ("sandbox", c_int32), ("surrogate", c_void_p), ("environment", POINTER(String)),
                ("environment_count", c_size_t), ("events", c_void_p)]


class HeaderOptions(Structure):
    _fields_ = [("struct_size", c_uint32), ("include_directories", POINTER(String)),
                ("include_directory_count", c_size_t), ("defines", POINTER(String)),
                ("define_count", c_size_t), ("undefines", POINTER(String)),
                ("undefine_count", c_size_t), ("system_headers", String)]


class ComFailure(Structure):
    _fields_ = [("hresult", c_int32), ("code", c_int32), ("source", c_void_p),
                ("source_length", c_size_t), ("description", c_void_p),
                ("description_length", c_size_t)]


# bridge32_callback_fn and bridge32_callback.
CALLBACK_FN = CFUNCTYPE(c_int32, c_void_p, POINTER(Value), c_size_t, POINTER(Value),
                        POINTER(c_void_p))


class Callback(Structure):
    _fields_ = [("function", CALLBACK_FN), ("context", c_void_p)]


class ParamInfo(Structure):
    _fields_ = [("id", c_uint32), ("flags", c_uint32), ("min_value", c_double),
                ("max_value", c_double), ("default_value", c_double), ("name", c_void_p),
                ("name_length", c_size_t), ("unit", c_void_p), ("unit_length", c_size_t)]


class PluginDescriptor(Structure):
    _fields_ = [("id", c_void_p), ("id_length", c_size_t), ("name", c_void_p),
                ("name_length", c_size_t), ("vendor", c_void_p), ("vendor_length", c_size_t),
                ("version", c_void_p), ("version_length", c_size_t), ("inputs", c_uint32),
                ("outputs", c_uint32), ("is_instrument", c_int32)]


def text(data, length):
    """The UTF-8 text of `length` bytes at `data` (a pointer the C API gave)."""
    if not data or not length:
        return ""
    return ctypes.string_at(data, length).decode("utf-8", "replace")


def native_directory():
    """Where the shared library and the surrogates are: BRIDGE32_NATIVE_DIR if set, else the
    package's own _native directory (a wheel's, or a build's staging)."""
    given = os.environ.get("BRIDGE32_NATIVE_DIR")
    if given:
        return given
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_native")


def _library_file(directory):
    return os.path.join(directory, "bridge32.dll" if sys.platform == "win32" else "libbridge32.so")


def _load():
    directory = native_directory()
    path = _library_file(directory)
    if not os.path.exists(path):
        raise ImportError(
            "bridge32's native library is not at %s: install the bridge32 wheel, or set "
            "BRIDGE32_NATIVE_DIR to the directory of a build's libbridge32.so/bridge32.dll and "
            "its surrogates" % path)
    if sys.platform == "win32":
        os.add_dll_directory(directory)  # the MinGW runtime DLLs beside it
    lib = ctypes.CDLL(path)
    if lib.bridge32_api_version() < API_VERSION:
        raise ImportError("%s serves bridge32 API version %d; this package needs %d or later"
                          % (path, lib.bridge32_api_version(), API_VERSION))
    return lib, directory


lib, directory = _load()

_P = c_void_p
_SIZE = POINTER(c_size_t)
_ERROR = POINTER(c_void_p)


def _declare(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


for _name, _restype, _argtypes in [
    ("bridge32_api_version", c_uint32, ()),
    ("bridge32_protocol_version", c_uint32, ()),
    ("bridge32_status_name", c_char_p, (c_int32,)),
    ("bridge32_error_kind", c_int32, (_P,)),
    ("bridge32_error_message", _P, (_P, _SIZE)),
    ("bridge32_error_is_remote", c_int32, (_P,)),
    ("bridge32_error_com", c_int32, (_P, POINTER(ComFailure))),
    ("bridge32_error_free", None, (_P,)),
    ("bridge32_error_new", _P, (c_int32, c_char_p, c_size_t)),
    ("bridge32_load_options_init", None, (POINTER(LoadOptions),)),
    ("bridge32_header_options_init", None, (POINTER(HeaderOptions),)),
    ("bridge32_library_load", c_int32, (c_char_p, c_size_t, POINTER(LoadOptions), POINTER(_P),
                                        _ERROR)),
    ("bridge32_library_free", None, (_P,)),
    ("bridge32_library_architecture", c_int32, (_P,)),
    ("bridge32_library_is_bridged", c_int32, (_P,)),
    ("bridge32_library_surrogate_pid", c_uint32, (_P,)),
    ("bridge32_library_path", _P, (_P, _SIZE)),
    ("bridge32_library_include", c_int32, (_P, c_char_p, c_size_t, POINTER(HeaderOptions),
                                           _ERROR)),
    ("bridge32_library_declare", c_int32, (_P, c_char_p, c_size_t, _ERROR)),
    ("bridge32_library_function", c_int32, (_P, c_char_p, c_size_t, POINTER(_P), _ERROR)),
    ("bridge32_function_name", _P, (_P, _SIZE)),
    ("bridge32_function_declaration", _P, (_P, _SIZE)),
    ("bridge32_function_returns_void", c_int32, (_P,)),
    ("bridge32_function_parameter_count", c_size_t, (_P,)),
    ("bridge32_function_parameter", c_int32, (_P, c_size_t, POINTER(ParameterInfo))),
    ("bridge32_function_result", c_int32, (_P, POINTER(ParameterInfo))),
    ("bridge32_function_is_variadic", c_int32, (_P,)),
    ("bridge32_function_free", None, (_P,)),
    ("bridge32_function_call", c_int32, (_P, POINTER(Value), c_size_t, POINTER(Callback),
                                         c_size_t, POINTER(_P), _ERROR)),
    ("bridge32_result_value", POINTER(Value), (_P,)),
    ("bridge32_result_output_count", c_size_t, (_P,)),
    ("bridge32_result_output", POINTER(Value), (_P, c_size_t, POINTER(c_char_p), _SIZE)),
    ("bridge32_result_last_error", c_uint32, (_P,)),
    ("bridge32_result_keep", _P, (_P,)),
    ("bridge32_registration_free", None, (_P,)),
    ("bridge32_result_free", None, (_P,)),
    ("bridge32_copy_memory", None, (_P, _P, c_size_t)),
    ("bridge32_bytes_data", POINTER(ctypes.c_uint8), (_P, _SIZE)),
    ("bridge32_bytes_free", None, (_P,)),
    ("bridge32_strings_count", c_size_t, (_P,)),
    ("bridge32_strings_at", _P, (_P, c_size_t, _SIZE)),
    ("bridge32_strings_free", None, (_P,)),
    # Plugins
    ("bridge32_plugin_module_load", c_int32, (c_char_p, c_size_t, POINTER(LoadOptions),
                                              POINTER(_P), _ERROR)),
    ("bridge32_plugin_module_free", None, (_P,)),
    ("bridge32_plugin_module_format", c_int32, (_P,)),
    ("bridge32_plugin_module_architecture", c_int32, (_P,)),
    ("bridge32_plugin_module_is_bridged", c_int32, (_P,)),
    ("bridge32_plugin_module_surrogate_pid", c_uint32, (_P,)),
    ("bridge32_plugin_module_plugin_count", c_size_t, (_P,)),
    ("bridge32_plugin_module_plugin", c_int32, (_P, c_size_t, POINTER(PluginDescriptor))),
    ("bridge32_plugin_create", c_int32, (_P, c_char_p, c_size_t, _P, POINTER(_P), _ERROR)),
    ("bridge32_plugin_free", None, (_P,)),
    ("bridge32_plugin_descriptor_of", None, (_P, POINTER(PluginDescriptor))),
    ("bridge32_plugin_is_running", c_int32, (_P,)),
    ("bridge32_plugin_param_count", c_size_t, (_P,)),
    ("bridge32_plugin_param_info", c_int32, (_P, c_size_t, POINTER(ParamInfo))),
    ("bridge32_plugin_param", c_int32, (_P, c_uint32, POINTER(c_double), _ERROR)),
    ("bridge32_plugin_set_param", c_int32, (_P, c_uint32, c_double, _ERROR)),
    ("bridge32_plugin_param_display", c_int32, (_P, c_uint32, POINTER(_P), _ERROR)),
    ("bridge32_plugin_save_state", c_int32, (_P, POINTER(_P), _ERROR)),
    ("bridge32_plugin_load_state", c_int32, (_P, c_char_p, c_size_t, _ERROR)),
    ("bridge32_plugin_activate", c_int32, (_P, c_double, c_uint32, _ERROR)),
    ("bridge32_plugin_deactivate", c_int32, (_P, _ERROR)),
    ("bridge32_plugin_process", c_int32, (_P, c_uint32, c_uint32, _P, c_size_t, _P, c_size_t,
                                          _P, _ERROR)),
    ("bridge32_plugin_program_names", c_int32, (_P, POINTER(_P), _ERROR)),
    ("bridge32_plugin_program", c_int32, (_P, POINTER(c_uint32), _ERROR)),
    ("bridge32_plugin_set_program", c_int32, (_P, c_uint32, _ERROR)),
    ("bridge32_plugin_latency", c_int32, (_P, POINTER(c_uint32), _ERROR)),
    ("bridge32_plugin_restart", c_int32, (_P, POINTER(c_int32), _ERROR)),
]:
    _declare(_name, _restype, *_argtypes)
