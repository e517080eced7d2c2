// The POSIX file system's direct writes: what they write, what they refuse, and that
// they leave the page cache alone where the file system supports direct I/O.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/file_system.h"

namespace sluice {
namespace {

struct Free {
  void operator()(char* p) const { std::free(p); }
};

// `size` bytes at an address aligned for WriteDirect, filled with a pattern from `seed`.
std::unique_ptr<char, Free> Aligned(size_t size, char seed) {
  std::unique_ptr<char, Free> p(static_cast<char*>(std::aligned_alloc(kDirectIoAlignment, size)));
  for (size_t i = 0; i < size; ++i) p.get()[i] = static_cast<char>(seed + static_cast<char>(i % 251));
  return p;
}

class DirectWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "sluice-direct-XXXXXX";
    const int fd = ::mkstemp(path_.data());
    ASSERT_GE(fd, 0);
    ::close(fd);
    auto f = fs_.OpenWritable(path_, OpenMode::kCreateOrTruncate);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    file_ = std::move(f).value();
  }
  void TearDown() override {
    file_.reset();
    ::unlink(path_.c_str());
  }
  std::string Contents() {
    auto r = ReadWholeFile(fs_, path_);
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }
  // Whether the file system takes O_DIRECT at all: where it does not, WriteDirect is a
  // plain write and the pages stay cached.
  bool SupportsDirect() const {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_DIRECT);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }
  // How many of the file's first `pages` pages are in the page cache.
  size_t ResidentPages(size_t pages) const {
    const int fd = ::open(path_.c_str(), O_RDONLY);
    void* map = ::mmap(nullptr, pages * 4096, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) return SIZE_MAX;
    std::vector<unsigned char> in(pages);
    const int rc = ::mincore(map, pages * 4096, in.data());
    ::munmap(map, pages * 4096);
    if (rc != 0) return SIZE_MAX;
    size_t n = 0;
    for (unsigned char c : in) n += c & 1;
    return n;
  }

  FileSystem& fs_ = FileSystem::Posix();
  std::string path_;
  std::unique_ptr<WritableFile> file_;
};

TEST_F(DirectWriteTest, DirectChunksThenACachedTailReadBackInOrder) {
  constexpr size_t kChunk = 64 * 1024;
  auto a = Aligned(kChunk, 'a');
  auto b = Aligned(kChunk, 'b');
  ASSERT_TRUE(WriteAll(*file_, {a.get(), kChunk}, /*direct=*/true).ok());
  ASSERT_TRUE(WriteAll(*file_, {b.get(), kChunk}, /*direct=*/true).ok());
  ASSERT_TRUE(WriteAll(*file_, std::string_view("tail, not aligned")).ok());
  ASSERT_TRUE(file_->Sync().ok());
  EXPECT_EQ(*file_->Size(), 2 * kChunk + 17);
  const std::string want = std::string(a.get(), kChunk) + std::string(b.get(), kChunk) + "tail, not aligned";
  EXPECT_EQ(Contents(), want);
}

TEST_F(DirectWriteTest, DirectWritesLeaveThePageCacheAlone) {
  if (!SupportsDirect()) GTEST_SKIP() << "the test directory's file system has no direct I/O";
  constexpr size_t kPages = 64;
  auto data = Aligned(kPages * 4096, 'x');
  ASSERT_TRUE(WriteAll(*file_, {data.get(), kPages * 4096}, /*direct=*/true).ok());
  EXPECT_EQ(ResidentPages(kPages), 0u);
  // The same through the cache, for contrast: every page is resident.
  ASSERT_TRUE(file_->Truncate(0).ok());
  ASSERT_TRUE(WriteAll(*file_, {data.get(), kPages * 4096}).ok());
  EXPECT_EQ(ResidentPages(kPages), kPages);
}

TEST_F(DirectWriteTest, UnalignedBufferSizeOrOffsetIsInvalidAndWritesNothing) {
  auto data = Aligned(2 * 4096, 'u');
  const auto refused = [&](std::span<const char> d) {
    auto n = file_->WriteDirect(d);
    return !n.ok() && n.status().code() == StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused({data.get() + 1, 4096}));  // address
  EXPECT_TRUE(refused({data.get(), 4095}));      // size
  EXPECT_EQ(*file_->Size(), 0u);
  ASSERT_TRUE(WriteAll(*file_, std::string_view("x")).ok());
  EXPECT_TRUE(refused({data.get(), 4096}));  // the file's end is at 1
  EXPECT_EQ(Contents(), "x");
}

}  // namespace
}  // namespace sluice
