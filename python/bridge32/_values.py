"""Python values to bridge32_value and back, as a function's declaration says.

Arrays of numbers cross as one block (a NUMBERS value pointing at the caller's memory): a
buffer of the declared element type (array.array, numpy, bytes, memoryview) is passed where it
is; any other sequence is converted once, in C, by array.array. Out arrays come back as
array.array, or as numpy arrays when an input was one.
"""

import array
import ctypes
import sys

from . import _native as n
from .errors import InvalidArgument

_COPY_THRESHOLD = 1 << 20  # bytes from which bridge32_copy_memory's helper threads pay

# (is a floating type, signed, size) -> the element type and its array.array type code
_ELEMENTS = {}
for _type, _code, _size in n.ELEMENT_TYPES:
    _ELEMENTS[(_code in "fd", _code.islower() or _code in "fd", _size)] = (_type, _code)
# The array.array and buffer format codes of each element type (long as int or long long).
_FORMATS = {t: set() for t, _, _ in n.ELEMENT_TYPES}
for _fmt in "bBhHiIlLqQfd":
    _item = array.array(_fmt).itemsize
    _float = _fmt in "fd"
    _signed = _float or _fmt.islower()
    _FORMATS[_ELEMENTS[(_float, _signed, _item)][0]].add(_fmt)
_FORMATS[0].add("c")  # ctypes' c_char arrays
_FORMATS[1].add("c")
_CODES = {t: code for t, code, _ in n.ELEMENT_TYPES}
_SIZES = {t: size for t, _, size in n.ELEMENT_TYPES}

try:
    import numpy
except ImportError:  # numpy is optional
    numpy = None


class Handle:
    """A pointer or handle the library handed out, to be given back as it is."""

    __slots__ = ("value", "kind", "text")

    def __init__(self, value, kind=0, text=None):
        self.value = value
        self.kind = kind
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Handle) and (self.value, self.kind) == (other.value, other.kind)

    def __hash__(self):
        return hash((self.value, self.kind))

    def __int__(self):
        return self.value

    def __repr__(self):
        kinds = ("pointer", "kernel", "module", "window", "host kernel")
        return "<bridge32.Handle %s 0x%x>" % (kinds[self.kind] if self.kind < 5 else self.kind,
                                              self.value)


class Struct:
    """A struct the library gave back: its fields as attributes (and by position), equal to a
    dict of the same fields or another Struct."""

    def __init__(self, fields):
        object.__setattr__(self, "_fields", fields)  # [(name, value)], names may be ""

    def __getattr__(self, name):
        for field, value in object.__getattribute__(self, "_fields"):
            if field == name:
                return value
        raise AttributeError("the struct has no field %r" % name)

    def __getitem__(self, index):
        return self._fields[index][1]

    def __len__(self):
        return len(self._fields)

    def _asdict(self):
        return {name: value for name, value in self._fields}

    def __eq__(self, other):
        if isinstance(other, Struct):
            return self._fields == other._fields
        if isinstance(other, dict):
            return self._asdict() == other
        return NotImplemented

    def __repr__(self):
        return "Struct(%s)" % ", ".join("%s=%r" % (name or i, value)
                                        for i, (name, value) in enumerate(self._fields))


def element_type(info):
    """The bridge32_element_type of an array whose element is `info` (a Parameter), or None
    when its elements are not numbers."""
    if info.kind == n.PARAMETER_FLOATING:
        return _ELEMENTS.get((True, True, info.size), (None,))[0]
    if info.kind in (n.PARAMETER_INTEGER, n.PARAMETER_BOOL):
        return _ELEMENTS.get((False, info.signed, info.size), (None,))[0]
    return None


class Arguments:
    """The C values of one call, and what they point to, alive until the call returns."""

    __slots__ = ("keep", "from_numpy")

    def __init__(self):
        self.keep = []
        self.from_numpy = False

    def set(self, target, value, info, where):
        """Writes Python `value` into bridge32_value `target` as parameter `info` takes it."""
        if value is None:
            target.kind = n.VALUE_NULL
            return
        kind = info.kind
        if kind == n.PARAMETER_INTEGER:
            self.set_integer(target, value, where)
        elif kind == n.PARAMETER_FLOATING:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise _wrong(where, "a number", value)
            target.kind = n.VALUE_DOUBLE
            target.as_.f64 = value
        elif kind == n.PARAMETER_BOOL:
            target.kind = n.VALUE_BOOL
            target.as_.boolean = 1 if value else 0
        elif kind == n.PARAMETER_STRING:
            self._string(target, value, where)
        elif kind == n.PARAMETER_ARRAY:
            self._array(target, value, info.element, where)
        elif kind == n.PARAMETER_STRUCT:
            self._struct(target, value, info, where)
        elif kind == n.PARAMETER_HANDLE:
            self._handle(target, value, where)
        else:
            raise _wrong(where, "nothing", value)

    def set_integer(self, target, value, where):
        if isinstance(value, Handle):
            value = value.value
        elif isinstance(value, str) and len(value) == 1:
            value = ord(value)
        elif isinstance(value, (bytes, bytearray)) and len(value) == 1:
            value = value[0]
        elif not isinstance(value, int):
            if hasattr(value, "__index__"):
                value = value.__index__()
            else:
                raise _wrong(where, "an integer", value)
        if value < 0:
            if value < -(1 << 63):
                raise InvalidArgument("%s: %d is below any C integer" % (where, value))
            target.kind = n.VALUE_INT
            target.as_.i64 = value
        else:
            if value >= 1 << 64:
                raise InvalidArgument("%s: %d is above any C integer" % (where, value))
            target.kind = n.VALUE_UINT
            target.as_.u64 = value

    def _string(self, target, value, where):
        if isinstance(value, str):
            data = value.encode("utf-8", "surrogateescape")
        elif isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
        else:
            raise _wrong(where, "a str or bytes", value)
        buffer = ctypes.create_string_buffer(data, len(data) + 1)
        self.keep.append(buffer)
        target.kind = n.VALUE_STRING
        target.as_.string.data = ctypes.addressof(buffer)
        target.as_.string.length = len(data)

    def _array(self, target, value, element, where):
        number_type = element_type(element)
        if number_type is not None and not isinstance(value, str):
            self._numbers(target, value, number_type, where)
            return
        if element.kind == n.PARAMETER_STRING and isinstance(value, (str, bytes)):
            self._string(target, value, where)  # a character array given as text
            return
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise _wrong(where, "a sequence", value)
        items = (n.Value * len(value))()
        self.keep.append(items)
        for i, item in enumerate(value):
            self.set(items[i], item, element, "%s[%d]" % (where, i))
        target.kind = n.VALUE_ARRAY
        target.as_.array.items = items
        target.as_.array.count = len(value)

    def _numbers(self, target, value, number_type, where):
        """An array of numbers as one block: the caller's own memory when it is a buffer of the
        declared type, else one conversion by array.array."""
        address, count = None, 0
        if numpy is not None and isinstance(value, numpy.ndarray):
            self.from_numpy = True
            if value.dtype.char not in _FORMATS[number_type] or not value.flags.c_contiguous:
                value = numpy.ascontiguousarray(value, dtype=_CODES[number_type])
            address, count = value.ctypes.data, value.size
        elif isinstance(value, array.array) and value.typecode in _FORMATS[number_type]:
            address, count = value.buffer_info()
        elif isinstance(value, bytes) and _SIZES[number_type] == 1:
            address, count = ctypes.cast(ctypes.c_char_p(value), ctypes.c_void_p).value, len(value)
        else:
            try:
                view = memoryview(value)
            except TypeError:
                view = None
            if view is not None and view.c_contiguous and _format_of(view) in _FORMATS[number_type]:
                if view.readonly:  # one copy, in C
                    value = array.array(_CODES[number_type])
                    value.frombytes(view)
                    address, count = value.buffer_info()
                else:  # the caller's memory, in place
                    block = (ctypes.c_char * view.nbytes).from_buffer(view)
                    self.keep.append(block)
                    address, count = ctypes.addressof(block), view.nbytes // view.itemsize
            else:
                try:
                    value = array.array(_CODES[number_type],
                                        value if view is None else view.tolist())
                except (TypeError, OverflowError, ValueError) as e:
                    raise InvalidArgument("%s: cannot be an array of %s: %s"
                                          % (where, _type_name(number_type), e)) from None
                address, count = value.buffer_info()
        self.keep.append(value)
        target.kind = n.VALUE_NUMBERS
        target.type = number_type
        target.as_.numbers.data = address
        target.as_.numbers.count = count

    def _struct(self, target, value, info, where):
        fields = info.fields
        if isinstance(value, Struct):
            value = value._asdict() if all(name for name, _ in value._fields) else list(value)
        if isinstance(value, dict):
            known = {field.name: field for field in fields}
            given = (n.Field * len(value))()
            for i, (name, item) in enumerate(value.items()):
                field = known.get(name)
                if field is None:
                    raise InvalidArgument("%s: the struct has no field %r (it has %s)" % (
                        where, name, ", ".join(f.name for f in fields)))
                encoded = name.encode("utf-8")
                self.keep.append(encoded)
                given[i].name = ctypes.cast(ctypes.c_char_p(encoded), ctypes.c_void_p)
                given[i].name_length = len(encoded)
                self.set(given[i].value, item, field, "%s.%s" % (where, name))
        elif isinstance(value, (list, tuple)):
            if len(value) > len(fields):
                raise InvalidArgument("%s: %d values for a struct of %d fields"
                                      % (where, len(value), len(fields)))
            given = (n.Field * len(value))()
            for i, item in enumerate(value):
                self.set(given[i].value, item, fields[i], "%s.%s" % (where, fields[i].name))
        else:
            raise _wrong(where, "a dict or a sequence of its fields", value)
        self.keep.append(given)
        target.kind = n.VALUE_STRUCT
        target.as_.structure.fields = given
        target.as_.structure.count = len(given)

    def _handle(self, target, value, where):
        if isinstance(value, Handle):
            target.kind = n.VALUE_HANDLE
            target.type = value.kind
            target.as_.handle.value = value.value
        elif isinstance(value, int) and not isinstance(value, bool):
            target.kind = n.VALUE_HANDLE
            target.type = 0
            target.as_.handle.value = value
        else:
            raise _wrong(where, "a handle the library gave", value)


def _format_of(view):
    """A buffer's element format as array.array spells it; None in another byte order."""
    fmt = view.format
    if fmt[:1] in ("@", "="):
        return fmt[1:]
    if fmt[:1] in ("<", ">", "!"):
        native = "<" if sys.byteorder == "little" else ">"
        return fmt[1:] if fmt[0] == native else None
    return fmt


def _type_name(number_type):
    return ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float",
            "double")[number_type]


def _wrong(where, expected, value):
    return InvalidArgument("%s: expected %s, got %s %r" % (
        where, expected, type(value).__name__, _short(value)))


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def to_python(value, numpy_out=False):
    """The Python value of a bridge32_value the C API gave (copied out of it)."""
    kind = value.kind
    if kind == n.VALUE_INT:
        return value.as_.i64
    if kind == n.VALUE_UINT:
        return value.as_.u64
    if kind == n.VALUE_DOUBLE:
        return value.as_.f64
    if kind == n.VALUE_NULL:
        return None
    if kind == n.VALUE_BOOL:
        return bool(value.as_.boolean)
    if kind == n.VALUE_STRING:
        s = value.as_.string
        return ctypes.string_at(s.data, s.length).decode("utf-8", "surrogateescape") \
            if s.length else ""
    if kind == n.VALUE_NUMBERS:
        return _numbers(value.type, value.as_.numbers.data, value.as_.numbers.count, numpy_out)
    if kind == n.VALUE_ARRAY:
        items = value.as_.array
        return [to_python(items.items[i], numpy_out) for i in range(items.count)]
    if kind == n.VALUE_STRUCT:
        fields = value.as_.structure
        return Struct([(n.text(fields.fields[i].name, fields.fields[i].name_length),
                        to_python(fields.fields[i].value, numpy_out))
                       for i in range(fields.count)])
    if kind == n.VALUE_HANDLE:
        h = value.as_.handle
        return Handle(h.value, value.type, n.text(h.text, h.text_length) if h.text else None)
    raise InvalidArgument("a value of unknown kind %d" % kind)


def _numbers(number_type, address, count, numpy_out):
    nbytes = count * _SIZES[number_type]
    if number_type == 1 and not numpy_out:  # bytes: unsigned char, uint8_t, BYTE
        return ctypes.string_at(address, nbytes) if nbytes else b""
    if numpy_out and numpy is not None:
        out = numpy.empty(count, dtype=_CODES[number_type])
        if nbytes:
            n.lib.bridge32_copy_memory(out.ctypes.data, address, nbytes)
        return out
    if nbytes >= _COPY_THRESHOLD:
        out = array.array(_CODES[number_type], [0]) * count  # (array(code, bytes) is slow)
        n.lib.bridge32_copy_memory(out.buffer_info()[0], address, nbytes)
        return out
    out = array.array(_CODES[number_type])
    if nbytes:
        out.frombytes((ctypes.c_char * nbytes).from_address(address))
    return out
