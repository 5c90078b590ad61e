"""ctypes' way, bridged: bridge32.CDLL(path) and WinDLL(path), whose functions take `argtypes`
and `restype` as ctypes users write them, with ctypes' own types, so that a wrapper written for
a 32-bit ctypes (msl-loadlib's Server32, zugbruecke) ports by changing an import.

Each call is made by a C declaration written from the function's argtypes and restype (and, for
pointers, from what the call gives: a ctypes array of n elements is `_Inout_updates_(n) T*`,
`byref(x)` is `_Inout_ T*`), bound once per shape and cached. What the library writes through a
pointer is written back into the caller's ctypes object, as in-process ctypes would see it.

Integer types are the C types their ctypes names say, in the library's ABI: c_long is a C
`long` (4 bytes in a 32-bit library). Where 64-bit Python makes two ctypes names one object
(c_long is c_int64 on Linux, c_size_t is c_ulonglong on Windows), the C name of the object's
type code is taken ("long", "unsigned long long"); a C type written as a string in argtypes
("size_t", "int64_t") says exactly what is meant.
"""

import ctypes
import threading

from ._values import Handle, Struct
from .errors import InvalidArgument
from .library import Library

# ctypes type codes and the C types they name.
_C_NAMES = {"c": "char", "b": "signed char", "B": "unsigned char", "h": "short",
            "H": "unsigned short", "i": "int", "I": "unsigned int", "l": "long",
            "L": "unsigned long", "q": "long long", "Q": "unsigned long long", "f": "float",
            "d": "double", "g": "long double", "?": "bool", "u": "wchar_t",
            "P": "void*", "z": "const char*", "Z": "const wchar_t*"}


def _simple_code(ctype):
    code = getattr(ctype, "_type_", None)
    return code if isinstance(code, str) else None


class _Shape:
    """What a call gives one parameter: its C text, and how to pass and write back the value."""

    __slots__ = ("text", "convert", "write_back")

    def __init__(self, text, convert=None, write_back=None):
        self.text = text
        self.convert = convert
        self.write_back = write_back


class _Declarer:
    """C declarations of the ctypes types a library's functions use: Structures and Unions
    become struct and union declarations, made once per library."""

    def __init__(self, library):
        self.library = library
        self.records = {}
        self.lock = threading.Lock()

    def c_type(self, ctype, where):
        """The C spelling of a ctypes type (for a declaration, with `%s` for the name)."""
        if isinstance(ctype, str):
            return ctype + " %s"
        if ctype is None:
            return "void %s"
        if isinstance(ctype, type) and issubclass(ctype, (ctypes.Structure, ctypes.Union)):
            return self.record(ctype) + " %s"
        if isinstance(ctype, type) and issubclass(ctype, ctypes.Array):
            return self.c_type(ctype._type_, where) % ("%s[" + str(ctype._length_) + "]")
        if isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer):
            return self.c_type(ctype._type_, where) % "*%s"
        if isinstance(ctype, type) and issubclass(ctype, ctypes._CFuncPtr):
            parameters = ", ".join(self.c_type(a, where) % "" for a in ctype._argtypes_)
            return self.c_type(ctype._restype_, where) % ("(*%s)(" + (parameters or "void")
                                                           + ")")
        code = _simple_code(ctype)
        if code in _C_NAMES:
            return _C_NAMES[code] + " %s"
        raise InvalidArgument("%s: bridge32 cannot pass a %r" % (where, ctype))

    def record(self, ctype):
        with self.lock:
            name = self.records.get(ctype)
        if name:
            return name
        keyword = "union" if issubclass(ctype, ctypes.Union) else "struct"
        name = "%s %s_%x" % (keyword, ctype.__name__, id(ctype) & 0xFFFFFF)
        fields = []
        for field in ctype._fields_:
            if len(field) == 3:
                fields.append(self.c_type(field[1], field[0]) % field[0] + " : %d" % field[2])
            else:
                fields.append(self.c_type(field[1], field[0]) % field[0])
        pack = getattr(ctype, "_pack_", None)
        text = "%s { %s; };" % (name, "; ".join(fields))
        if pack:
            text = "#pragma pack(push, %d)\n%s\n#pragma pack(pop)" % (pack, text)
        self.library.declare(text)
        with self.lock:
            self.records[ctype] = name
        return name


def _from_record(instance):
    """A ctypes Structure's fields as a dict bridge32 takes."""
    values = {}
    for field in instance._fields_:
        value = getattr(instance, field[0])
        values[field[0]] = _from_ctypes(value)
    return values


def _from_ctypes(value):
    if isinstance(value, (ctypes.Structure, ctypes.Union)):
        return _from_record(value)
    if isinstance(value, ctypes.Array):
        return [_from_ctypes(v) for v in value]
    if isinstance(value, ctypes._SimpleCData):
        return value.value
    return value


def _into_record(instance, value):
    """Writes a Struct bridge32 gave back into a ctypes Structure."""
    for field in instance._fields_:
        name, ftype = field[0], field[1]
        got = getattr(value, name)
        current = getattr(instance, name)
        if isinstance(current, (ctypes.Structure, ctypes.Union)):
            _into_record(current, got)
        elif isinstance(current, ctypes.Array):
            for i, item in enumerate(got):
                current[i] = item
        else:
            setattr(instance, name, got.encode("latin-1") if ftype is ctypes.c_char and
                    isinstance(got, str) else got)


class _CFunction:
    """A function of a CDLL, as ctypes' _FuncPtr: set argtypes and restype, then call it."""

    def __init__(self, dll, name):
        self._dll = dll
        self.__name__ = name
        self.argtypes = None
        self.restype = ctypes.c_int
        self.errcheck = None
        self._bound = {}  # declaration -> Function

    def _shape(self, ctype, value, index):
        where = "%s argument %d" % (self.__name__, index + 1)
        declarer = self._dll._declarer
        if isinstance(ctype, type) and issubclass(ctype, ctypes._Pointer):
            return self._pointer(ctype._type_, value, where)
        if isinstance(ctype, type) and issubclass(ctype, ctypes._CFuncPtr):
            return _Shape(declarer.c_type(ctype, where))
        if isinstance(ctype, type) and issubclass(ctype, (ctypes.Structure, ctypes.Union)):
            return _Shape(declarer.c_type(ctype, where), _from_ctypes)
        code = _simple_code(ctype)
        pointee = _pointee(value)
        if code in ("z", "Z", "P") and isinstance(pointee, ctypes.Array):
            # create_string_buffer(n) given for a char* or void*: memory the library may write
            return self._pointer(pointee._type_, value, where)
        if code == "P" and pointee is not value:  # byref(x) or pointer(x) for a void*
            return self._pointer(type(pointee), value, where)
        if code == "z":
            return _Shape("_In_opt_z_ const char* %s")
        if code == "Z":
            return _Shape("_In_opt_z_ const wchar_t* %s")
        if code == "P":
            return _Shape("void* %s", lambda v: v.value if isinstance(v, ctypes.c_void_p) else v)
        if code == "c":
            return _Shape("char %s", lambda v: v[0] if isinstance(v, bytes) else _from_ctypes(v))
        return _Shape(declarer.c_type(ctype, where), _from_ctypes)

    def _pointer(self, target, value, where):
        """A pointer parameter as the argument says: a ctypes array, byref(x), pointer(x),
        None or bytes."""
        declarer = self._dll._declarer
        element = declarer.c_type(target, where)
        if value is None:
            return _Shape("_In_opt_ " + element % "*%s")
        if isinstance(value, bytes):
            return _Shape("_In_reads_bytes_(%d) const " % len(value) + element % "*%s")
        if type(value).__name__ == "CArgObject":  # byref(x)
            value = value._obj
        elif isinstance(value, ctypes._Pointer):
            value = value.contents
        if isinstance(value, ctypes.Array):
            length = len(value)
            if length == 0:
                return _Shape("_In_opt_ " + element % "*%s", lambda v: None)

            records = isinstance(target, type) and issubclass(
                target, (ctypes.Structure, ctypes.Union))
            return _Shape("_Inout_updates_(%d) " % length + element % "*%s",
                          (lambda v: _from_ctypes(_pointee(v))) if records else _pointee,
                          _write_array)
        if isinstance(value, (ctypes.Structure, ctypes.Union)):
            return _Shape("_Inout_ " + element % "*%s", lambda v: _from_ctypes(_pointee(v)),
                          lambda instance, out: _into_record(instance, out))
        if isinstance(value, ctypes._SimpleCData):
            return _Shape("_Inout_ " + element % "*%s", lambda v: _pointee(v).value,
                          lambda instance, out: setattr(instance, "value", out))
        raise InvalidArgument("%s: a pointer is given a ctypes array, byref(x), pointer(x), "
                              "bytes or None, not %s" % (where, type(value).__name__))

    def __call__(self, *arguments):
        argtypes = self.argtypes
        if argtypes is None:  # as ctypes: ints, floats, strings and bytes by their own types
            argtypes = [_guess(a, self.__name__, i) for i, a in enumerate(arguments)]
        elif len(arguments) != len(argtypes):
            raise InvalidArgument("%s takes %d arguments (its argtypes), %d given" % (
                self.__name__, len(argtypes), len(arguments)))
        shapes = [self._shape(t, a, i) for i, (t, a) in enumerate(zip(argtypes, arguments))]
        restype = self.restype
        declarer = self._dll._declarer
        if restype is ctypes.c_char_p:
            result_text = "_Ret_maybenull_z_ const char* %s"
        elif restype is ctypes.c_wchar_p:
            result_text = "_Ret_maybenull_z_ const wchar_t* %s"
        else:
            result_text = declarer.c_type(restype if not callable(restype) or isinstance(
                restype, type) else ctypes.c_int, self.__name__ + "'s result")
        parameters = ", ".join(shape.text % ("p%d" % i) for i, shape in enumerate(shapes))
        declaration = "%s(%s);" % (result_text % (self._dll._convention + self.__name__),
                                   parameters or "void")
        function = self._bound.get(declaration)
        if function is None:
            function = self._dll._library.function(declaration)
            if len(self._bound) >= 64:  # shapes of arrays by length: keep the newest
                self._bound.pop(next(iter(self._bound)))
            self._bound[declaration] = function
        given = []
        for shape, argument in zip(shapes, arguments):
            given.append(shape.convert(argument) if shape.convert else argument)
        answer = function(*given)
        answers = list(answer) if isinstance(answer, tuple) else [answer]
        if not function._returns_void:
            result, outputs = answers[0], answers[1:]
        else:
            result, outputs = None, ([] if answer is None else answers)
        outputs = iter(outputs)
        for shape, argument in zip(shapes, arguments):
            if shape.write_back:
                shape.write_back(_pointee(argument), next(outputs))
        result = _to_restype(restype, result)
        if self.errcheck is not None:
            return self.errcheck(result, self, arguments)
        return result


def _write_array(array, out):
    """What the library left in an array, into the caller's ctypes array."""
    if isinstance(out, list):  # records, or values one by one
        for i, item in enumerate(out):
            if isinstance(array[i], (ctypes.Structure, ctypes.Union)):
                _into_record(array[i], item)
            else:
                array[i] = item
        return
    if isinstance(out, str):  # characters, read back as text
        out = out.encode("utf-8", "surrogateescape")
        out = out + b"\0" if len(out) < ctypes.sizeof(array) else out
    data = bytes(out) if not hasattr(out, "buffer_info") else out
    size = min(ctypes.sizeof(array), len(data) * getattr(data, "itemsize", 1))
    ctypes.memmove(array, data.buffer_info()[0] if hasattr(data, "buffer_info") else data, size)


def _pointee(value):
    if type(value).__name__ == "CArgObject":
        return value._obj
    if isinstance(value, ctypes._Pointer):
        return value.contents
    return value


def _guess(value, name, index):
    if isinstance(value, bool) or isinstance(value, int):
        return ctypes.c_int
    if isinstance(value, float):
        raise InvalidArgument("%s argument %d: a float needs argtypes (as in ctypes)"
                              % (name, index + 1))
    if isinstance(value, bytes):
        return ctypes.c_char_p
    if isinstance(value, str):
        return ctypes.c_wchar_p
    if value is None:
        return ctypes.c_void_p
    return type(value)


def _to_restype(restype, result):
    """A result as in-process ctypes gives it for `restype`."""
    if restype is None:
        return None
    if restype is ctypes.c_char_p:
        return None if result is None else result.encode("utf-8", "surrogateescape")
    if restype is ctypes.c_void_p:
        return result.value or None if isinstance(result, Handle) else result
    if isinstance(restype, type) and issubclass(restype, (ctypes.Structure, ctypes.Union)):
        instance = restype()
        _into_record(instance, result)
        return instance
    if callable(restype) and not isinstance(restype, type):
        return restype(result)  # ctypes: a callable restype gets the int result
    if restype is ctypes.c_char and isinstance(result, int):
        return bytes([result & 0xFF])
    return result


class CDLL:
    """A library loaded as ctypes.CDLL loads one, in a bridge32 surrogate when it is 32-bit.
    Functions are attributes (or items); keyword arguments as bridge32.load's."""

    _convention = ""

    def __init__(self, name, isolate=False, timeout=None, sandbox=False, environment=None):
        self._library = Library(name, isolate=isolate, timeout=timeout, sandbox=sandbox,
                                environment=environment)
        self._declarer = _Declarer(self._library)
        self._name = name

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        function = _CFunction(self, name)
        setattr(self, name, function)
        return function

    def __getitem__(self, name):
        return getattr(self, name)

    @property
    def library(self):
        """The bridge32.Library underneath."""
        return self._library

    def close(self):
        self._library.close()

    def __repr__(self):
        return "<bridge32.CDLL %r>" % self._name


class WinDLL(CDLL):
    """As ctypes.WinDLL: functions of the __stdcall convention (32-bit Windows DLLs)."""

    _convention = "__stdcall "

