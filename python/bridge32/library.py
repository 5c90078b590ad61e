"""Libraries called by their C declarations: bridge32.load(), Library and Function."""

import ctypes
import os
import threading

from . import _native as n
from ._values import Arguments, Handle, to_python
from .errors import Error, InvalidArgument, check, from_status

_last = threading.local()


def last_error():
    """GetLastError() (Windows) or errno as the library left it after this thread's last call
    through bridge32, in the thread that made it; 0 before any."""
    return getattr(_last, "error", 0)


def _utf8(text):
    return os.fsencode(text) if not isinstance(text, str) else text.encode("utf-8")


def _strings(texts, keep):
    """A bridge32_string array of `texts` (kept alive in `keep`)."""
    array = (n.String * len(texts))()
    for i, text in enumerate(texts):
        data = _utf8(text)
        keep.append(data)
        array[i].data = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p)
        array[i].length = len(data)
    return array


def load_options(isolate=False, timeout=None, sandbox=False, environment=None, keep=None):
    """bridge32_load_options as the package's keyword arguments say."""
    options = n.LoadOptions()
    n.lib.bridge32_load_options_init(ctypes.byref(options))
    options.isolation = n.ISOLATION_SURROGATE if isolate else n.ISOLATION_AUTOMATIC
    directory = _utf8(n.directory)
    keep.append(directory)
    options.surrogate_directory = directory
    options.surrogate_directory_length = len(directory)
    if timeout is not None:
        if not 0 < timeout * 1000 < 2 ** 32:
            raise InvalidArgument("timeout: %r seconds is not a deadline (more than 0, less "
                                  "than 49 days)" % timeout)
        options.call_timeout_ms = max(1, int(timeout * 1000))
    options.sandbox = 1 if sandbox else 0
    if environment is not None:
        pairs = ["%s=%s" % item for item in environment.items()] \
            if isinstance(environment, dict) else list(environment)
        options.environment = _strings(pairs, keep)
        options.environment_count = len(pairs)
        keep.append(options.environment)
    return options


def load(path, header=None, include=(), defines=None, isolate=False, timeout=None,
         sandbox=False, environment=None):
    """Loads the library at `path` (of any bitness: a 32-bit one in a bridge32 surrogate), and
    reads `header` (a path, or a list of them) as the library's compiler would, with
    `include` directories and `defines` ({NAME: value or None}, or "NAME=V" strings).
    `isolate`: always in a surrogate; `timeout`: each call's deadline, in seconds; `sandbox`:
    a sandboxed surrogate for code that is not trusted; `environment`: the surrogate's (a dict),
    else this process's."""
    library = Library(path, isolate=isolate, timeout=timeout, sandbox=sandbox,
                      environment=environment)
    headers = [header] if isinstance(header, (str, bytes, os.PathLike)) else list(header or ())
    for one in headers:
        library.include(one, include=include, defines=defines)
    return library


class Library:
    """A library loaded in this process or a surrogate. Its functions are its attributes, by
    the names its headers and declarations give them: `lib.add(1, 2)`."""

    def __init__(self, path, isolate=False, timeout=None, sandbox=False, environment=None):
        keep = []
        options = load_options(isolate, timeout, sandbox, environment, keep)
        encoded = _utf8(os.fspath(path))
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_library_load(encoded, len(encoded), ctypes.byref(options),
                                          ctypes.byref(handle), ctypes.byref(error)), error)
        self._handle = handle.value
        self._functions = {}
        self._kept = []  # registrations of callbacks the library keeps
        self._lock = threading.Lock()

    @property
    def path(self):
        length = ctypes.c_size_t()
        return n.text(n.lib.bridge32_library_path(self._live(), ctypes.byref(length)),
                      length.value)

    @property
    def bridged(self):
        """True when the library runs in a surrogate."""
        return bool(n.lib.bridge32_library_is_bridged(self._live()))

    @property
    def architecture(self):
        """"x86" or "x64", the library's."""
        return {n.ARCH_X86: "x86", n.ARCH_X64: "x64"}.get(
            n.lib.bridge32_library_architecture(self._live()), "unknown")

    @property
    def surrogate_pid(self):
        """The surrogate's process id; 0 in-process, or while there is none."""
        return n.lib.bridge32_library_surrogate_pid(self._live())

    def include(self, header, include=(), defines=None, undefines=()):
        """Reads a header of the library as its compiler would."""
        keep = []
        options = n.HeaderOptions()
        n.lib.bridge32_header_options_init(ctypes.byref(options))
        directories = [os.fspath(d) for d in include]
        options.include_directories = _strings(directories, keep)
        options.include_directory_count = len(directories)
        if isinstance(defines, dict):
            defines = [name if value is None else "%s=%s" % (name, value)
                       for name, value in defines.items()]
        defines = list(defines or ())
        options.defines = _strings(defines, keep)
        options.define_count = len(defines)
        undefines = list(undefines)
        options.undefines = _strings(undefines, keep)
        options.undefine_count = len(undefines)
        encoded = _utf8(os.fspath(header))
        error = ctypes.c_void_p()
        check(n.lib.bridge32_library_include(self._live(), encoded, len(encoded),
                                             ctypes.byref(options), ctypes.byref(error)), error)

    def declare(self, declarations):
        """Declares structs, typedefs and functions (with SAL annotations) after the headers."""
        encoded = declarations.encode("utf-8")
        error = ctypes.c_void_p()
        check(n.lib.bridge32_library_declare(self._live(), encoded, len(encoded),
                                             ctypes.byref(error)), error)
        with self._lock:
            self._functions.clear()  # a name may be declared again

    def function(self, name_or_declaration):
        """The function of that name, or of that declaration ("int add(int a, int b);")."""
        with self._lock:
            function = self._functions.get(name_or_declaration)
        if function is None:
            function = Function(self, name_or_declaration)
            with self._lock:
                self._functions[name_or_declaration] = function
        return function

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.function(name)
        except Error as e:
            raise AttributeError("%s: %s" % (name, e.message)) from e

    def __getitem__(self, name):
        """The function `name`, for names that are Library's own (lib["close"]) or not
        identifiers."""
        return self.function(name)

    def forget(self, callback=None):
        """Lets go of the callbacks the library was given to keep (_Kept_ parameters): those
        given as `callback`, or all. Tell the library to forget them first."""
        with self._lock:
            let_go = [k for k in self._kept if callback is None or callback in k.callables]
            self._kept = [k for k in self._kept if k not in let_go]
        for registration in let_go:
            registration.free()

    def close(self):
        """Unloads the library (its surrogate ends with the last module in it). Its functions
        may not be called after this; callbacks it kept are let go."""
        with self._lock:
            handle, self._handle = self._handle, None
            functions, self._functions = self._functions, {}
            kept, self._kept = self._kept, []
        for function in functions.values():
            function._free()
        if handle:
            n.lib.bridge32_library_free(handle)
        for registration in kept:
            registration.free()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()

    def _live(self):
        if not self._handle:
            raise Error("the library is closed")
        return self._handle

    def _keep(self, registration):
        with self._lock:
            self._kept.append(registration)

    def __repr__(self):
        if not self._handle:
            return "<bridge32.Library closed>"
        return "<bridge32.Library %s (%s%s)>" % (
            self.path, self.architecture, ", bridged" if self.bridged else "")


class Parameter:
    """A parameter, a result, or a field or element in one, as the declaration says: `name`,
    `kind` ("integer", "floating", "string", "array", "struct", "handle", "callback", "bool",
    "void"), `type` (as C spells it), `direction` ("in", "out", "inout"), `size` in bytes
    (numbers), `signed`, `fields` (struct) and `element` (array)."""

    KINDS = ("void", "bool", "integer", "floating", "string", "array", "struct", "handle",
             "callback")

    def __init__(self, c):
        self.name = c.name[:c.name_length].decode("utf-8") if c.name else ""
        self.kind = c.kind
        self.type = c.type[:c.type_length].decode("utf-8") if c.type else ""
        self.size = c.size
        self.signed = bool(c.is_signed)
        self.is_input = bool(c.is_input)
        self.is_output = bool(c.is_output)
        self.fields = [Parameter(c.fields[i]) for i in range(c.field_count)]
        self.element = Parameter(c.element[0]) if c.element else None

    @property
    def direction(self):
        return {(True, False): "in", (False, True): "out", (True, True): "inout"}.get(
            (self.is_input, self.is_output), "")

    def __repr__(self):
        return "<Parameter %s: %s (%s)%s>" % (self.name or "(result)", self.type,
                                             self.KINDS[self.kind],
                                             " " + self.direction if self.direction else "")


class FunctionInfo:
    """What a function's declaration says: `parameters`, `result`, `variadic`."""

    def __init__(self, parameters, result, variadic):
        self.parameters = parameters
        self.result = result
        self.variadic = variadic

    def __repr__(self):
        return "FunctionInfo(parameters=%r, result=%r)" % (self.parameters, self.result)


class _Registration:
    """Callbacks given to _Kept_ parameters, held until the library is told to forget them:
    each Python callable with the C function pointer the library holds."""

    def __init__(self, handle, callables):
        self.handle = handle
        self.callables = [function for function, _ in callables]
        self.trampolines = [trampoline for _, trampoline in callables]

    def free(self):
        if self.handle:
            n.lib.bridge32_registration_free(self.handle)
            self.handle = None


def _fast_integer(target, value):
    """An int argument, without the general path's checks; False for anything else."""
    if type(value) is int:
        if 0 <= value < 18446744073709551616:
            target.kind = n.VALUE_UINT
            target.u64 = value
            return True
        if -9223372036854775808 <= value < 0:
            target.kind = n.VALUE_INT
            target.i64 = value
            return True
    return False


def _fast_floating(target, value):
    if type(value) is float or type(value) is int:
        target.kind = n.VALUE_DOUBLE
        target.f64 = value
        return True
    return False


def _no_fast_path(target, value):
    return False


_FAST_SETTERS = {n.PARAMETER_INTEGER: _fast_integer, n.PARAMETER_FLOATING: _fast_floating}


def _answer(target, answer, where):
    """Writes a callback's answer: a number, a bool, a Handle or None."""
    if answer is None:
        target.kind = n.VALUE_NULL
    elif isinstance(answer, bool):
        target.kind = n.VALUE_BOOL
        target.as_.boolean = int(answer)
    elif isinstance(answer, float):
        target.kind = n.VALUE_DOUBLE
        target.as_.f64 = answer
    elif isinstance(answer, Handle):
        target.kind = n.VALUE_HANDLE
        target.type = answer.kind
        target.as_.handle.value = answer.value
    else:
        Arguments().set_integer(target, answer, where + "'s answer")


def _callback_trampoline(function, where):
    """A C function pointer that calls the Python callable `function` (on any thread: ctypes
    takes the GIL). An exception in it fails the call that gave it, with its words."""

    def trampoline(_context, arguments, count, result, error):
        try:
            answer = function(*[to_python(arguments[i]) for i in range(count)])
            _answer(result[0], answer, where)
            return n.OK
        except BaseException as e:  # noqa: B902 - nothing may unwind into C
            message = ("%s: %s" % (type(e).__name__, e)).encode("utf-8", "replace")
            error[0] = n.lib.bridge32_error_new(n.FAILED, message, len(message))
            return n.FAILED

    return n.CALLBACK_FN(trampoline)


class Function:
    """A function of a library, bound by its declaration. Called with its in and in/out
    parameters (callables for its function pointers), it returns its result, then each out
    and in/out parameter in declaration order: one value alone, several as a tuple, none as
    None."""

    def __init__(self, library, name_or_declaration):
        self._handle = None
        self._library = library
        encoded = name_or_declaration.encode("utf-8")
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_library_function(library._live(), encoded, len(encoded),
                                              ctypes.byref(handle), ctypes.byref(error)), error)
        self._handle = handle.value
        length = ctypes.c_size_t()
        self.name = n.text(n.lib.bridge32_function_name(self._handle, ctypes.byref(length)),
                           length.value)
        self.declaration = n.text(
            n.lib.bridge32_function_declaration(self._handle, ctypes.byref(length)),
            length.value)
        c = n.ParameterInfo()
        parameters = []
        for i in range(n.lib.bridge32_function_parameter_count(self._handle)):
            n.lib.bridge32_function_parameter(self._handle, i, ctypes.byref(c))
            parameters.append(Parameter(c))
        n.lib.bridge32_function_result(self._handle, ctypes.byref(c))
        self.info = FunctionInfo(parameters, Parameter(c),
                                 bool(n.lib.bridge32_function_is_variadic(self._handle)))
        self._returns_void = bool(n.lib.bridge32_function_returns_void(self._handle))
        # What a call takes, in order: (fast setter or None for a callback, index among the
        # C values or callbacks, parameter).
        self._takes = []
        values = callbacks = 0
        for parameter in parameters:
            if parameter.kind == n.PARAMETER_CALLBACK:
                self._takes.append((None, callbacks, parameter))
                callbacks += 1
            elif parameter.is_input:
                self._takes.append((_FAST_SETTERS.get(parameter.kind, _no_fast_path), values,
                                    parameter))
                values += 1
        self._value_count = values
        self._callback_count = callbacks
        self._values_type = n.Value * values
        self._callbacks_type = n.Callback * callbacks
        self._outputs = sum(1 for p in parameters if p.is_output)

    def __call__(self, *arguments):
        takes = self._takes
        if len(arguments) != len(takes):
            raise InvalidArgument("%s takes %d argument%s (%s), %d given" % (
                self.name, len(takes), "" if len(takes) == 1 else "s",
                ", ".join(p.name for _, _, p in takes), len(arguments)))
        values = self._values_type()
        callbacks = None
        given = None  # what values point to, for those that point
        callables = []
        for argument, (fast, index, parameter) in zip(arguments, takes):
            if fast is None:
                if callbacks is None:
                    callbacks = self._callbacks_type()
                if argument is not None:
                    if not callable(argument):
                        raise InvalidArgument("%s: expected a callable or None, got %s" % (
                            parameter.name, type(argument).__name__))
                    trampoline = _callback_trampoline(argument, parameter.name)
                    callbacks[index].function = trampoline
                    callables.append((argument, trampoline))
            elif not fast(values[index], argument):
                if given is None:
                    given = Arguments()
                given.set(values[index], argument, parameter, parameter.name)
        result = ctypes.c_void_p()
        error = ctypes.c_void_p()
        status = n.lib.bridge32_function_call(self._live(), values, self._value_count,
                                              callbacks, self._callback_count,
                                              ctypes.byref(result), ctypes.byref(error))
        numpy_out = given is not None and given.from_numpy
        del given  # what the values pointed to: read during the call only
        if status:
            raise from_status(status, error.value)
        result = result.value
        try:
            _last.error = n.lib.bridge32_result_last_error(result)
            if callables:
                registration = n.lib.bridge32_result_keep(result)
                if registration:
                    self._library._keep(_Registration(registration, callables))
            answers = [] if self._returns_void else [
                to_python(n.lib.bridge32_result_value(result)[0], numpy_out)]
            for i in range(self._outputs):
                answers.append(to_python(
                    n.lib.bridge32_result_output(result, i, None, None)[0], numpy_out))
        finally:
            n.lib.bridge32_result_free(result)
        if not answers:
            return None
        return answers[0] if len(answers) == 1 else tuple(answers)

    def _live(self):
        if not self._handle:
            raise Error("%s: its library is closed" % self.name)
        return self._handle

    def _free(self):
        handle, self._handle = self._handle, None
        if handle:
            n.lib.bridge32_function_free(handle)

    def __del__(self):
        self._free()

    def __repr__(self):
        return "<bridge32.Function %s>" % self.declaration
