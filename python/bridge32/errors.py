"""bridge32's errors: one class per kind of failure, named for what the caller should do about
it (bridge32_status in the C API, bridge32::Error::Kind in C++)."""

import ctypes

from . import _native as n


class Error(Exception):
    """A failure of bridge32 or of the module it runs. `message` says what, naming the thing;
    `remote` is true when the surrogate raised it; `com` holds a COM call's HRESULT and
    EXCEPINFO (a ComFailure) or None."""

    status = n.FAILED

    def __init__(self, message, remote=False, com=None):
        super().__init__(message)
        self.message = message
        self.remote = remote
        self.com = com


class Failed(Error):
    """The module or the bridge failed; the same call will too."""
    status = n.FAILED


class InvalidArgument(Error, ValueError):
    """A value, size or name refused."""
    status = n.INVALID_ARGUMENT


class NotFound(Error, LookupError):
    """A file, function, plugin or parameter that is not there."""
    status = n.NOT_FOUND


class BadModule(Error):
    """Not a module this host can load (its format, bitness or a dependency)."""
    status = n.BAD_MODULE


class UnsupportedVersion(Error):
    """An SDK or protocol version not supported."""
    status = n.UNSUPPORTED_VERSION


class Unsupported(Error):
    """The module (or this platform) does not offer what the call needs."""
    status = n.UNSUPPORTED


class BadState(Error):
    """Not allowed now."""
    status = n.BAD_STATE


class SurrogateStart(Error):
    """The surrogate process did not start."""
    status = n.SURROGATE_START


class Disconnected(Error):
    """The surrogate died (a crash in the module, say): the next call starts a new one."""
    status = n.DISCONNECTED


class Timeout(Error, TimeoutError):
    """The surrogate did not answer within the call's deadline."""
    status = n.TIMEOUT


_BY_STATUS = {cls.status: cls for cls in (Failed, InvalidArgument, NotFound, BadModule,
                                          UnsupportedVersion, Unsupported, BadState,
                                          SurrogateStart, Disconnected, Timeout)}


class ComFailure:
    """What COM said of a call that failed: its HRESULT and EXCEPINFO."""

    def __init__(self, hresult, code, source, description):
        self.hresult = hresult
        self.code = code
        self.source = source
        self.description = description

    def __repr__(self):
        return "ComFailure(hresult=0x%08X, code=%d, source=%r, description=%r)" % (
            self.hresult & 0xFFFFFFFF, self.code, self.source, self.description)


def from_status(status, error):
    """The exception for a C call's status and its bridge32_error (which this frees)."""
    try:
        kind = n.lib.bridge32_error_kind(error) if error else status
        length = ctypes.c_size_t()
        message = n.text(n.lib.bridge32_error_message(error, ctypes.byref(length)),
                         length.value) if error else _status_name(status)
        remote = bool(error) and bool(n.lib.bridge32_error_is_remote(error))
        com = None
        failure = n.ComFailure()
        if error and n.lib.bridge32_error_com(error, ctypes.byref(failure)):
            com = ComFailure(failure.hresult, failure.code,
                             n.text(failure.source, failure.source_length),
                             n.text(failure.description, failure.description_length))
    finally:
        if error:
            n.lib.bridge32_error_free(error)
    return _BY_STATUS.get(kind, Error)(message, remote, com)


def _status_name(status):
    return n.lib.bridge32_status_name(status).decode("utf-8")


def check(status, error):
    """Raises what a C call's status says, if it failed."""
    if status != n.OK:
        raise from_status(status, error.value if isinstance(error, ctypes.c_void_p) else error)
