// A host short of resources: loads fail with an error that says so, and leave nothing behind.
#include <gtest/gtest.h>

#include <cstdio>

#include "bridge32/host.h"
#include "core/event-loop-thread.h"
#include "harness.h"

#if !_WIN32
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>
#endif

namespace bridge32 {
namespace {

#if !_WIN32

size_t openDescriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count - 1;  // the iterator's own
}

// Takes every free file descriptor but `spare`, under a limit low enough to reach, until it goes.
class DescriptorSqueeze {
 public:
  explicit DescriptorSqueeze(int spare) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, openDescriptors() + 256);
    setrlimit(RLIMIT_NOFILE, &low);
    for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) held_.push_back(fd);
    for (int i = 0; i < spare && !held_.empty(); ++i) {
      close(held_.back());
      held_.pop_back();
    }
  }
  ~DescriptorSqueeze() {
    for (int fd : held_) close(fd);
    setrlimit(RLIMIT_NOFILE, &saved_);
  }
  DescriptorSqueeze(const DescriptorSqueeze&) = delete;
  DescriptorSqueeze& operator=(const DescriptorSqueeze&) = delete;

 private:
  rlimit saved_{};
  std::vector<int> held_;
};

TEST(Resources, LoadsWithTooFewFileDescriptorsFailClearlyAndLeakNothing) {
  // Before the fix: the application could abort (an exception escaping the bridge's thread),
  // each failed start leaked 2 to 6 descriptors, and with none free the plugin was "not found".
  auto path = test::pluginPath(Architecture::x64, "b32-faulty");
  size_t before = openDescriptors();
  int failed = 0, loaded = 0;
  for (int spare = 0; spare <= 24; ++spare) {
    {
      DescriptorSqueeze squeeze(spare);
      try {
        auto module = PluginModule::load(path, test::optionsFor(test::kSurrogate64));
        HostCallbacks quiet;
        auto faulty = module->createInstance("com.bridge32.samples.faulty", quiet);
        faulty->setParam(2, 7);
        EXPECT_EQ(faulty->param(2), 7);
        ++loaded;
      } catch (const Error& error) {
        ++failed;
        EXPECT_NE(error.kind(), Error::Kind::notFound) << "with " << spare << " spare: " << error.what();
        EXPECT_NE(error.message().find("Too many open files"), std::string::npos)
            << "with " << spare << " spare: " << error.what();
      }
    }
    EXPECT_EQ(openDescriptors(), before) << "descriptors left behind with " << spare << " spare";
  }
  std::printf("[ figures  ] with 0 to 24 spare file descriptors: %d loads failed with an error, "
              "%d succeeded; %zu descriptors open before and after\n",
              failed, loaded, before);
  EXPECT_GT(failed, 0) << "the squeeze never bit";
  EXPECT_GT(loaded, 0) << "24 spare descriptors should be enough for a load";
}

TEST(Resources, ABridgeThreadWhoseEventLoopCannotBeSetUpIsAnErrorNotAnAbort) {
  // What 150 surrogates under `ulimit -n 1024` met: epoll_create1 failing on the bridge's own
  // thread, where the exception ended the application (std::terminate).
  DescriptorSqueeze squeeze(0);
  Error error = test::expectError([] { EventLoopThread loop; });
  EXPECT_EQ(error.kind(), Error::Kind::surrogateStart) << error.what();
  EXPECT_NE(error.message().find("Too many open files"), std::string::npos) << error.what();
}

#endif

}  // namespace
}  // namespace bridge32
