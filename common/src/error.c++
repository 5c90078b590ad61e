#include "bridge32/error.h"

namespace bridge32 {

namespace {
std::string describe(Error::Kind kind, const std::string& message, bool remote) {
  std::string text = remote ? "[remote " : "[";
  text += toString(kind);
  text += "] ";
  text += message;
  return text;
}
}  // namespace

Error::Error(Kind kind, std::string message, bool remote)
    : std::runtime_error(describe(kind, message, remote)),
      kind_(kind),
      remote_(remote),
      message_(std::move(message)) {}

Error::Error(Kind kind, std::string message, ComFailure com, bool remote)
    : Error(kind, std::move(message), remote) {
  com_ = std::make_shared<const ComFailure>(std::move(com));
}

std::string_view toString(Error::Kind kind) {
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

}  // namespace bridge32
