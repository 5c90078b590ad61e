"""Plugins from Python: bridge32's SDK plugins and VST2 plugins as they are, parameters by name,
audio from numpy or array buffers, state and programs."""

import array
import ctypes

from . import _native as n
from ._values import numpy
from .errors import InvalidArgument, NotFound, check
from .library import _utf8, load_options


class Descriptor:
    """What a module says of one of its plugins."""

    def __init__(self, c):
        self.id = n.text(c.id, c.id_length)
        self.name = n.text(c.name, c.name_length)
        self.vendor = n.text(c.vendor, c.vendor_length)
        self.version = n.text(c.version, c.version_length)
        self.inputs = c.inputs
        self.outputs = c.outputs
        self.is_instrument = bool(c.is_instrument)

    def __repr__(self):
        return "<Descriptor %s %r by %r, %d in, %d out>" % (self.id, self.name, self.vendor,
                                                            self.inputs, self.outputs)


class Param:
    """A parameter: `id`, `name`, `unit`, `min`, `max`, `default`."""

    def __init__(self, c):
        self.id = c.id
        self.name = n.text(c.name, c.name_length)
        self.unit = n.text(c.unit, c.unit_length)
        self.min = c.min_value
        self.max = c.max_value
        self.default = c.default_value
        self.flags = c.flags

    def __repr__(self):
        return "<Param %d %r [%g, %g] %s>" % (self.id, self.name, self.min, self.max, self.unit)


class PluginModule:
    """A plugin module (an SDK plugin's or a VST2 plugin's file), loaded in this process or a
    surrogate; keyword arguments as bridge32.load's."""

    def __init__(self, path, isolate=False, timeout=None, sandbox=False, environment=None):
        keep = []
        options = load_options(isolate, timeout, sandbox, environment, keep)
        encoded = _utf8(str(path))
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_module_load(encoded, len(encoded), ctypes.byref(options),
                                                ctypes.byref(handle), ctypes.byref(error)), error)
        self._handle = handle.value
        self.format = ("sdk", "vst2")[n.lib.bridge32_plugin_module_format(self._handle)]
        self.architecture = {n.ARCH_X86: "x86", n.ARCH_X64: "x64"}.get(
            n.lib.bridge32_plugin_module_architecture(self._handle), "unknown")
        self.bridged = bool(n.lib.bridge32_plugin_module_is_bridged(self._handle))
        self.plugins = []
        c = n.PluginDescriptor()
        for i in range(n.lib.bridge32_plugin_module_plugin_count(self._handle)):
            n.lib.bridge32_plugin_module_plugin(self._handle, i, ctypes.byref(c))
            self.plugins.append(Descriptor(c))

    @property
    def surrogate_pid(self):
        return n.lib.bridge32_plugin_module_surrogate_pid(self._handle)

    def create(self, id=None):
        """A new instance of plugin `id` (the module's first when None)."""
        if id is None:
            if not self.plugins:
                raise NotFound("the module has no plugins")
            id = self.plugins[0].id
        return Plugin(self, id)

    def close(self):
        handle, self._handle = self._handle, None
        if handle:
            n.lib.bridge32_plugin_module_free(handle)

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()


def plugin(path, id=None, **options):
    """Plugin `id` (the first when None) of the module at `path`: bridge32.plugin("gain.dll")."""
    return PluginModule(path, **options).create(id)


class Plugin:
    """A plugin instance. Its parameters by name: `plugin["Gain"]`, `plugin["Gain"] = 0.5`;
    audio through `process`; `save_state`/`load_state`; `programs` and `program`."""

    def __init__(self, module, id):
        self._module = module  # kept: the plugin is the module's
        encoded = id.encode("utf-8")
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_create(module._handle, encoded, len(encoded), None,
                                           ctypes.byref(handle), ctypes.byref(error)), error)
        self._handle = handle.value
        c = n.PluginDescriptor()
        n.lib.bridge32_plugin_descriptor_of(self._handle, ctypes.byref(c))
        self.descriptor = Descriptor(c)
        info = n.ParamInfo()
        self.params = {}
        for i in range(n.lib.bridge32_plugin_param_count(self._handle)):
            n.lib.bridge32_plugin_param_info(self._handle, i, ctypes.byref(info))
            param = Param(info)
            self.params[param.name] = param
        self._channels = None

    @property
    def module(self):
        return self._module

    @property
    def running(self):
        return bool(n.lib.bridge32_plugin_is_running(self._handle))

    def _param(self, name):
        param = self.params.get(name) if isinstance(name, str) else None
        if param is None and isinstance(name, int):
            return name
        if param is None:
            raise NotFound("the plugin has no parameter %r (it has %s)" % (
                name, ", ".join(repr(p) for p in self.params) or "none"))
        return param.id

    def __getitem__(self, name):
        value = ctypes.c_double()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_param(self._handle, self._param(name), ctypes.byref(value),
                                          ctypes.byref(error)), error)
        return value.value

    def __setitem__(self, name, value):
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_set_param(self._handle, self._param(name), float(value),
                                              ctypes.byref(error)), error)

    def display(self, name):
        """The parameter's value as the plugin shows it ("-6.0", "On")."""
        text = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_param_display(self._handle, self._param(name),
                                                  ctypes.byref(text), ctypes.byref(error)), error)
        return _bytes(text.value).decode("utf-8", "replace")

    def activate(self, sample_rate=48000.0, max_frames=4096):
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_activate(self._handle, sample_rate, max_frames,
                                             ctypes.byref(error)), error)

    def deactivate(self):
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_deactivate(self._handle, ctypes.byref(error)), error)

    def process(self, block, channels=None):
        """Processes one block of planar float32 samples: a numpy array of shape (channels,
        frames), or a flat array('f') or sequence of `channels` * frames. Returns the output
        in the same form."""
        is_numpy = numpy is not None and isinstance(block, numpy.ndarray)
        if is_numpy:
            if block.ndim != 2:
                raise InvalidArgument("block: a numpy array of shape (channels, frames), not %r"
                                      % (block.shape,))
            channels = block.shape[0]
            block = numpy.ascontiguousarray(block, dtype=numpy.float32)
            address, count = block.ctypes.data, block.size
            output = numpy.empty_like(block)
            out_address = output.ctypes.data
        else:
            if not channels:
                raise InvalidArgument("channels: needed for a flat block")
            if not (isinstance(block, array.array) and block.typecode == "f"):
                block = array.array("f", block)
            address, count = block.buffer_info()
            output = array.array("f", [0.0]) * count
            out_address = output.buffer_info()[0]
        if count % channels:
            raise InvalidArgument("block: %d samples are not %d channels of whole frames"
                                  % (count, channels))
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_process(self._handle, channels, count // channels, address,
                                            count, out_address, count, None,
                                            ctypes.byref(error)), error)
        return output

    def save_state(self):
        state = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_save_state(self._handle, ctypes.byref(state),
                                               ctypes.byref(error)), error)
        return _bytes(state.value)

    def load_state(self, state):
        state = bytes(state)
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_load_state(self._handle, state, len(state),
                                               ctypes.byref(error)), error)

    @property
    def programs(self):
        names = ctypes.c_void_p()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_program_names(self._handle, ctypes.byref(names),
                                                  ctypes.byref(error)), error)
        try:
            length = ctypes.c_size_t()
            return [n.text(n.lib.bridge32_strings_at(names.value, i, ctypes.byref(length)),
                           length.value)
                    for i in range(n.lib.bridge32_strings_count(names.value))]
        finally:
            n.lib.bridge32_strings_free(names.value)

    @property
    def program(self):
        index = ctypes.c_uint32()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_program(self._handle, ctypes.byref(index),
                                            ctypes.byref(error)), error)
        return index.value

    @program.setter
    def program(self, index):
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_set_program(self._handle, index, ctypes.byref(error)), error)

    @property
    def latency(self):
        frames = ctypes.c_uint32()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_latency(self._handle, ctypes.byref(frames),
                                            ctypes.byref(error)), error)
        return frames.value

    def restart(self):
        """Brings a stopped plugin back in a new surrogate, with its state; False when it was
        running."""
        restarted = ctypes.c_int32()
        error = ctypes.c_void_p()
        check(n.lib.bridge32_plugin_restart(self._handle, ctypes.byref(restarted),
                                            ctypes.byref(error)), error)
        return bool(restarted.value)

    def close(self):
        handle, self._handle = self._handle, None
        if handle:
            n.lib.bridge32_plugin_free(handle)

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()


def _bytes(handle):
    """The bytes of a bridge32_bytes (which this frees)."""
    try:
        size = ctypes.c_size_t()
        data = n.lib.bridge32_bytes_data(handle, ctypes.byref(size))
        return ctypes.string_at(data, size.value) if size.value else b""
    finally:
        n.lib.bridge32_bytes_free(handle)
