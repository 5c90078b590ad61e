"""32-bit COM automation objects from 64-bit Python (Windows), as pywin32's
win32com.client.Dispatch drives in-process ones: properties and methods as attributes, `[...]`
for the default member, iteration over collections, events through a handler object. The
server runs in a bridge32 surrogate.

    excel_like = bridge32.com.Dispatch("Scripting.Dictionary")
    excel_like.Add("a", 1)
    excel_like["a"]       # 1

Elsewhere than Windows, Dispatch raises bridge32.Unsupported.
"""

import array
import ctypes
import datetime
import decimal
from ctypes import (CFUNCTYPE, POINTER, Structure, Union, c_double, c_int32, c_int64, c_size_t,
                    c_uint16, c_uint32, c_uint64, c_void_p)

from . import _native as n
from .errors import Error, check
from .library import _utf8, load_options

(EMPTY, NULL, BOOL, INT, UINT, REAL, CURRENCY, DATE, STRING, ERROR, OBJECT,
 ARRAY) = range(12)
_VT_R8, _VT_I4, _VT_ARRAY = 5, 3, 0x2000
_EPOCH = datetime.datetime(1899, 12, 30)


class ComValue(Structure):
    pass


class _Array(Structure):
    _fields_ = [("dimensions", c_uint32), ("lower_bounds", POINTER(c_int32)),
                ("counts", POINTER(c_uint32)), ("elements", POINTER(ComValue)),
                ("numbers", c_void_p), ("count", c_size_t)]


class _Union(Union):
    _fields_ = [("boolean", c_int32), ("i64", c_int64), ("u64", c_uint64), ("f64", c_double),
                ("string", n.String), ("object", c_void_p), ("array", _Array)]


ComValue._fields_ = [("kind", c_int32), ("vartype", c_uint16), ("as_", _Union)]


class NamedArgument(Structure):
    _fields_ = [("name", c_void_p), ("name_length", c_size_t), ("value", ComValue)]


class MemberInfo(Structure):
    _fields_ = [("name", c_void_p), ("name_length", c_size_t), ("id", c_int32),
                ("kind", c_int32), ("type", c_void_p), ("type_length", c_size_t),
                ("parameter_count", c_size_t), ("varargs", c_int32),
                ("description", c_void_p), ("description_length", c_size_t)]


EVENT_FN = CFUNCTYPE(None, c_void_p, c_void_p, c_size_t, POINTER(ComValue), c_size_t)

_P, _ERROR, _SIZE = c_void_p, POINTER(c_void_p), POINTER(c_size_t)
for _name, _restype, _argtypes in [
    ("bridge32_com_class_load", c_int32, (ctypes.c_char_p, c_size_t, c_int32,
                                          POINTER(n.LoadOptions), POINTER(_P), _ERROR)),
    ("bridge32_com_class_free", None, (_P,)),
    ("bridge32_com_class_create", c_int32, (_P, POINTER(_P), _ERROR)),
    ("bridge32_com_class_surrogate_pid", c_uint32, (_P,)),
    ("bridge32_com_object_duplicate", _P, (_P,)),
    ("bridge32_com_object_free", None, (_P,)),
    ("bridge32_com_object_get", c_int32, (_P, ctypes.c_char_p, c_size_t, POINTER(ComValue),
                                          c_size_t, POINTER(_P), _ERROR)),
    ("bridge32_com_object_put", c_int32, (_P, ctypes.c_char_p, c_size_t, POINTER(ComValue),
                                          POINTER(ComValue), c_size_t, _ERROR)),
    ("bridge32_com_object_call", c_int32, (_P, ctypes.c_char_p, c_size_t, POINTER(ComValue),
                                           c_size_t, POINTER(NamedArgument), c_size_t,
                                           POINTER(_P), _ERROR)),
    ("bridge32_com_object_items", c_int32, (_P, POINTER(_P), _ERROR)),
    ("bridge32_com_result_value", POINTER(ComValue), (_P,)),
    ("bridge32_com_result_free", None, (_P,)),
    ("bridge32_com_object_connect", c_int32, (_P, EVENT_FN, _P, POINTER(_P), _ERROR)),
    ("bridge32_com_connection_free", None, (_P,)),
    ("bridge32_com_object_type_info", c_int32, (_P, POINTER(_P), _ERROR)),
    ("bridge32_com_type_info_member_count", c_size_t, (_P,)),
    ("bridge32_com_type_info_member", c_int32, (_P, c_size_t, POINTER(MemberInfo))),
    ("bridge32_com_type_info_free", None, (_P,)),
]:
    _function = getattr(n.lib, _name)
    _function.restype = _restype
    _function.argtypes = list(_argtypes)


class _Given:
    """COM values of one call and what they point to, alive until it returns."""

    def __init__(self):
        self.keep = []

    def values(self, items):
        values = (ComValue * len(items))()
        self.keep.append(values)
        for i, item in enumerate(items):
            self.set(values[i], item)
        return values

    def set(self, target, value):
        target.vartype = 0  # the kind's usual VARTYPE
        if value is None:
            target.kind = EMPTY
        elif isinstance(value, bool):
            target.kind, target.as_.boolean = BOOL, int(value)
        elif isinstance(value, int):
            target.kind, target.as_.i64 = INT, value
        elif isinstance(value, float):
            target.kind, target.as_.f64 = REAL, value
        elif isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            self.keep.append(data)
            target.kind = STRING
            target.as_.string.data = ctypes.cast(ctypes.c_char_p(data), c_void_p)
            target.as_.string.length = len(data)
        elif isinstance(value, Dispatch):
            target.kind, target.as_.object = OBJECT, value._handle
        elif isinstance(value, datetime.datetime):
            target.kind = DATE
            target.as_.f64 = (value - _EPOCH) / datetime.timedelta(days=1)
        elif isinstance(value, decimal.Decimal):
            target.kind, target.as_.i64 = CURRENCY, int(value * 10000)
        elif isinstance(value, array.array) and value.typecode == "d":
            self._doubles(target, value)
        elif hasattr(value, "dtype") and value.dtype.char == "d" and value.ndim == 1:
            self._doubles(target, value)
        else:
            items = list(value)  # any other sequence: a SAFEARRAY of VARIANTs
            target.kind = ARRAY
            target.vartype = 0x2000 | 12  # VT_ARRAY | VT_VARIANT
            counts = (c_uint32 * 1)(len(items))
            bounds = (c_int32 * 1)(0)
            self.keep += [counts, bounds]
            target.as_.array.dimensions = 1
            target.as_.array.counts = counts
            target.as_.array.lower_bounds = bounds
            target.as_.array.elements = self.values(items)
            target.as_.array.count = len(items)

    def _doubles(self, target, value):
        """A SAFEARRAY of doubles, as one block."""
        if not isinstance(value, array.array):
            doubles = array.array("d")
            doubles.frombytes(memoryview(value).cast("B"))
            value = doubles
        counts = (c_uint32 * 1)(len(value))
        bounds = (c_int32 * 1)(0)
        self.keep += [value, counts, bounds]
        target.kind = ARRAY
        target.vartype = _VT_ARRAY | _VT_R8
        target.as_.array.dimensions = 1
        target.as_.array.counts = counts
        target.as_.array.lower_bounds = bounds
        target.as_.array.numbers = value.buffer_info()[0]
        target.as_.array.count = len(value)


def _python(value):
    """The Python value of a COM value bridge32 gave (objects duplicated, to outlive it)."""
    kind = value.kind
    if kind in (EMPTY, NULL):
        return None
    if kind == BOOL:
        return bool(value.as_.boolean)
    if kind in (INT, ERROR):
        return value.as_.i64
    if kind == UINT:
        return value.as_.u64
    if kind == REAL:
        return value.as_.f64
    if kind == CURRENCY:
        return decimal.Decimal(value.as_.i64) / 10000
    if kind == DATE:
        return _EPOCH + datetime.timedelta(days=value.as_.f64)
    if kind == STRING:
        return n.text(value.as_.string.data, value.as_.string.length)
    if kind == OBJECT:
        handle = value.as_.object
        return Dispatch(_handle=_duplicate(handle)) if handle else None
    if kind == ARRAY:
        a = value.as_.array
        if a.elements:
            items = [_python(a.elements[i]) for i in range(a.count)]
        else:
            items = _numbers(value.vartype & 0xFFF, a.numbers, a.count)
        return _shape(items, [a.counts[d] for d in range(a.dimensions)])
    raise TypeError("a COM value of unknown kind %d" % kind)


def _duplicate(handle):
    return n.lib.bridge32_com_object_duplicate(handle)


# VARTYPEs of numbers and their array.array codes.
_NUMBER_CODES = {2: "h", 3: "i", 4: "f", 5: "d", 16: "b", 17: "B", 18: "H", 19: "I",
                 20: "q", 21: "Q", 22: "i", 23: "I"}


def _numbers(vartype, address, count):
    code = _NUMBER_CODES.get(vartype)
    if code is None:
        raise TypeError("a SAFEARRAY of VARTYPE %d as numbers" % vartype)
    out = array.array(code)
    if count:
        out.frombytes(ctypes.string_at(address, count * out.itemsize))
    return out


def _shape(items, counts):
    """COM's order (the first dimension fastest) as nested lists, the first dimension outer."""
    if len(counts) <= 1:
        return items
    strides = [1]
    for count in counts[:-1]:
        strides.append(strides[-1] * count)

    def build(dimension, offset):
        if dimension == len(counts):
            return items[offset]
        return [build(dimension + 1, offset + i * strides[dimension])
                for i in range(counts[dimension])]
    return build(0, 0)


class Dispatch:
    """A COM object in a surrogate: Dispatch("Scripting.Dictionary") makes one of a 32-bit
    class (architecture="x64" for a 64-bit class out of process)."""

    def __init__(self, name=None, architecture="x86", isolate=True, timeout=None, _handle=None):
        if _handle is None:
            keep = []
            options = load_options(isolate, timeout, False, None, keep)
            encoded = _utf8(name)
            com_class = c_void_p()
            error = c_void_p()
            check(n.lib.bridge32_com_class_load(
                encoded, len(encoded), n.ARCH_X86 if architecture == "x86" else n.ARCH_X64,
                ctypes.byref(options), ctypes.byref(com_class), ctypes.byref(error)), error)
            try:
                made = c_void_p()
                check(n.lib.bridge32_com_class_create(com_class, ctypes.byref(made),
                                                      ctypes.byref(error)), error)
            finally:
                n.lib.bridge32_com_class_free(com_class)
            _handle = made.value
        object.__setattr__(self, "_handle", _handle)
        object.__setattr__(self, "_connections", [])
        object.__setattr__(self, "_methods", None)  # names of its methods, from type info

    def _is_method(self, name):
        """True for a method, False for a property, None when the object gives no type
        information."""
        if self._methods is None:
            info, error = c_void_p(), c_void_p()
            methods = set()
            if n.lib.bridge32_com_object_type_info(self._handle, ctypes.byref(info),
                                                   ctypes.byref(error)) == n.OK and info.value:
                member = MemberInfo()
                properties = set()
                for i in range(n.lib.bridge32_com_type_info_member_count(info.value)):
                    n.lib.bridge32_com_type_info_member(info.value, i, ctypes.byref(member))
                    key = n.text(member.name, member.name_length).lower()
                    (methods if member.kind == 0 else properties).add(key)
                n.lib.bridge32_com_type_info_free(info.value)
                methods = {"methods": methods, "properties": properties}
            elif error.value:
                n.lib.bridge32_error_free(error.value)
            object.__setattr__(self, "_methods", methods or {})
        if not self._methods:
            return None
        key = name.lower()  # COM names are case-insensitive
        if key in self._methods["methods"]:
            return True
        return False if key in self._methods["properties"] else None

    def _get(self, name):
        result, error = c_void_p(), c_void_p()
        encoded = name.encode("utf-8")
        status = n.lib.bridge32_com_object_get(self._handle, encoded, len(encoded), None, 0,
                                               ctypes.byref(result), ctypes.byref(error))
        return self._result(status, result, error)

    def _result(self, status, result, error):
        check(status, error)
        try:
            return _python(n.lib.bridge32_com_result_value(result)[0])
        finally:
            n.lib.bridge32_com_result_free(result)

    def _call(self, name, arguments, named=None):
        given = _Given()
        values = given.values(arguments)
        named = named or {}
        nameds = (NamedArgument * len(named))()
        for i, (key, value) in enumerate(named.items()):
            data = key.encode("utf-8")
            given.keep.append(data)
            nameds[i].name = ctypes.cast(ctypes.c_char_p(data), c_void_p)
            nameds[i].name_length = len(data)
            given.set(nameds[i].value, value)
        encoded = name.encode("utf-8")
        result, error = c_void_p(), c_void_p()
        status = n.lib.bridge32_com_object_call(self._handle, encoded, len(encoded), values,
                                                len(arguments), nameds, len(named),
                                                ctypes.byref(result), ctypes.byref(error))
        return self._result(status, result, error)

    def __getattr__(self, name):
        """A property's value, or a method to call, as the type information says; without
        it, the property's value if getting it succeeds, else the method."""
        if name.startswith("_"):
            raise AttributeError(name)
        is_method = self._is_method(name)
        if is_method:
            return _Method(self, name)
        try:
            return self._get(name)
        except Error:
            if is_method is None:
                return _Method(self, name)
            raise

    def __setattr__(self, name, value):
        given = _Given()
        target = ComValue()
        given.set(target, value)
        encoded = name.encode("utf-8")
        error = c_void_p()
        check(n.lib.bridge32_com_object_put(self._handle, encoded, len(encoded),
                                            ctypes.byref(target), None, 0, ctypes.byref(error)),
              error)

    def __getitem__(self, key):
        return self._call("", list(key) if isinstance(key, tuple) else [key])

    def __setitem__(self, key, value):
        given = _Given()
        target = ComValue()
        given.set(target, value)
        keys = given.values(list(key) if isinstance(key, tuple) else [key])
        error = c_void_p()
        check(n.lib.bridge32_com_object_put(self._handle, b"", 0, ctypes.byref(target), keys,
                                            len(keys), ctypes.byref(error)), error)

    def __call__(self, *arguments, **named):
        return self._call("", list(arguments), named)

    def __iter__(self):
        result, error = c_void_p(), c_void_p()
        status = n.lib.bridge32_com_object_items(self._handle, ctypes.byref(result),
                                                 ctypes.byref(error))
        return iter(self._result(status, result, error))

    def connect(self, handler):
        """Calls handler.On<Event>(...) (or handler.<Event>) for each event of the object's
        default source, until the object goes. On bridge32's thread: a handler may not call
        bridged objects."""
        def deliver(_context, event, length, arguments, count):
            name = ctypes.string_at(event, length).decode("utf-8")
            method = getattr(handler, "On" + name, None) or getattr(handler, name, None)
            if method is not None:
                method(*[_python(arguments[i]) for i in range(count)])

        trampoline = EVENT_FN(deliver)
        connection, error = c_void_p(), c_void_p()
        check(n.lib.bridge32_com_object_connect(self._handle, trampoline, None,
                                                ctypes.byref(connection), ctypes.byref(error)),
              error)
        self._connections.append((connection.value, trampoline))
        return handler

    def close(self):
        for connection, _ in self._connections:
            n.lib.bridge32_com_connection_free(connection)
        self._connections.clear()
        handle = self._handle
        object.__setattr__(self, "_handle", None)
        if handle:
            n.lib.bridge32_com_object_free(handle)

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()


class _Method:
    """A method of an object, to call with positional and named arguments."""

    def __init__(self, owner, name):
        self._owner = owner
        self._name = name

    def __call__(self, *arguments, **named):
        return self._owner._call(self._name, list(arguments), named)

    def __repr__(self):
        return "<COM method %s>" % self._name
