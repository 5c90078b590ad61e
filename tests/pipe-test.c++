// The Windows channel stays private: one pipe instance, created first (no squatting on the
// name), and refused to any client but the first. (On Linux the channel is a socketpair made
// before the surrogate starts: it has no name to connect to.)
#include <gtest/gtest.h>

#if _WIN32
#include "harness.h"
#include "transport/named-pipe.h"

namespace bridge32 {
namespace {

using test::expectError;

TEST(PrivatePipe, ASecondClientIsRefused) {
  std::wstring name = newPipeName();
  win32::Handle server = createPrivatePipe(name);
  win32::Handle connected(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  OVERLAPPED overlapped{};
  overlapped.hEvent = connected.get();
  ConnectNamedPipe(server.get(), &overlapped);

  win32::Handle first = openPipe(name);
  ASSERT_TRUE(first);
  ASSERT_EQ(WaitForSingleObject(connected.get(), 5000), WAIT_OBJECT_0);
  ULONG clientPid = 0;
  ASSERT_TRUE(GetNamedPipeClientProcessId(server.get(), &clientPid));
  EXPECT_EQ(clientPid, GetCurrentProcessId()) << "the host checks this against the child's pid";

  Error error = expectError([&] { openPipe(name); });
  EXPECT_EQ(error.kind(), Error::Kind::failed);
  EXPECT_NE(error.message().find(win32::narrow(name)), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("(error 231)"), std::string::npos)
      << "ERROR_PIPE_BUSY: " << error.message();
}

TEST(PrivatePipe, ANameInUseCannotBeTakenOver) {
  std::wstring name = newPipeName();
  win32::Handle server = createPrivatePipe(name);
  Error error = expectError([&] { createPrivatePipe(name); });
  EXPECT_EQ(error.kind(), Error::Kind::failed);
  EXPECT_NE(error.message().find("cannot create named pipe"), std::string::npos) << error.message();
}

TEST(PrivatePipe, NamesAreRandom) {
  std::wstring a = newPipeName(), b = newPipeName();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind(L"\\\\.\\pipe\\bridge32-", 0), 0u);
  EXPECT_GE(a.size(), std::wstring(L"\\\\.\\pipe\\bridge32-1-").size() + 32) << "128 random bits";
}

}  // namespace
}  // namespace bridge32
#endif
