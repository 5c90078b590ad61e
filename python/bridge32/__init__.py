"""bridge32 for Python: 32-bit DLLs and shared objects, COM classes and plugins from 64-bit
Python, called by their C headers, through bridge32's C API.

    import bridge32
    lib = bridge32.load("vendor32.dll", header="vendor.h")
    lib.add(1, 2)
"""

from ._native import lib as _lib
from ._values import Handle, Struct
from .errors import (BadModule, BadState, ComFailure, Disconnected, Error, Failed,
                     InvalidArgument, NotFound, SurrogateStart, Timeout, Unsupported,
                     UnsupportedVersion)
from .library import Function, FunctionInfo, Library, Parameter, last_error, load
from .ctypes_mode import CDLL, WinDLL
from .plugin import Plugin, PluginModule, plugin
from . import com

__all__ = ["load", "Library", "Function", "FunctionInfo", "Parameter", "Handle", "Struct",
           "last_error", "Error", "Failed", "InvalidArgument", "NotFound", "BadModule",
           "UnsupportedVersion", "Unsupported", "BadState", "SurrogateStart", "Disconnected",
           "Timeout", "ComFailure", "CDLL", "WinDLL", "plugin", "PluginModule", "Plugin", "com",
           "api_version", "protocol_version"]


def api_version():
    """The C API version of the native library in use."""
    return _lib.bridge32_api_version()


def protocol_version():
    """The protocol version the native library speaks with its surrogates."""
    return _lib.bridge32_protocol_version()
