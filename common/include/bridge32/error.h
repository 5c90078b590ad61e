// bridge32::Error: the one exception type bridge32 throws, typed by what the caller should do.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bridge32 {

class Error : public std::runtime_error {
 public:
  enum class Kind {
    failed,              // the plugin or the bridge failed; retrying the same call will not help
    invalidArgument,     // an id, value or size the plugin or bridge refused
    notFound,            // a file, plugin id or parameter id that does not exist
    badModule,           // the file is not a plugin module this host can load (format, bitness,
                         // missing entry point, missing dependency)
    unsupportedVersion,  // an SDK or protocol version this side does not support
    unsupported,         // the plugin does not offer what the call needs
    badState,            // not allowed now (process before activate, say)
    surrogateStart,      // the surrogate process did not start or did not complete the handshake
    disconnected,        // the surrogate died or the connection to it broke; restart the plugin
    timeout,             // the surrogate did not answer in time
  };

  // What COM said of a call that failed: the HRESULT it returned and, when the object raised an
  // exception, the EXCEPINFO's code, source and description. The message says all of it too.
  struct ComFailure {
    int32_t hresult = 0;
    int32_t code = 0;
    std::string source;
    std::string description;
  };

  // `remote` marks an error that the surrogate raised and sent over the pipe.
  Error(Kind kind, std::string message, bool remote = false)
      : std::runtime_error(describe(kind, message, remote)),
        kind_(kind),
        remote_(remote),
        message_(std::move(message)) {}
  Error(Kind kind, std::string message, ComFailure com, bool remote = false)
      : Error(kind, std::move(message), remote) {
    com_ = std::make_shared<const ComFailure>(std::move(com));
  }

  Kind kind() const noexcept { return kind_; }
  bool isRemote() const noexcept { return remote_; }
  // The message without the "[kind] " prefix that what() carries.
  const std::string& message() const noexcept { return message_; }
  // Set for a COM call that failed, else null.
  const ComFailure* com() const noexcept { return com_.get(); }

 private:
  // "[kind] message", or "[remote kind] message": what().
  static std::string describe(Kind kind, const std::string& message, bool remote);

  Kind kind_;
  bool remote_;
  std::string message_;
  std::shared_ptr<const ComFailure> com_;  // shared: exceptions are copied
};

inline std::string_view toString(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::failed: return "failed";
    case Error::Kind::invalidArgument: return "invalid argument";
    case Error::Kind::notFound: return "not found";
    case Error::Kind::badModule: return "bad module";
    case Error::Kind::unsupportedVersion: return "unsupported version";
    case Error::Kind::unsupported: return "unsupported";
    case Error::Kind::badState: return "bad state";
    case Error::Kind::surrogateStart: return "surrogate did not start";
    case Error::Kind::disconnected: return "disconnected";
    case Error::Kind::timeout: return "timeout";
  }
  return "unknown";
}

inline std::string Error::describe(Kind kind, const std::string& message, bool remote) {
  std::string text = remote ? "[remote " : "[";
  text += toString(kind);
  text += "] ";
  text += message;
  return text;
}

}  // namespace bridge32
