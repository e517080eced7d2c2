#include "cli/allocator_tuning.h"

#include <gtest/gtest.h>
#include <malloc.h>
#include <stdlib.h>

#include <cstdlib>
#include <cstring>

namespace sluice::cli {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kGlibcAllocator = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kGlibcAllocator = false;
#else
constexpr bool kGlibcAllocator = true;
#endif
#else
constexpr bool kGlibcAllocator = true;
#endif

// The block escapes through it, so the compiler may not elide the malloc/free pair.
char* volatile g_escaped = nullptr;

TEST(AllocatorTuning, BlocksOfAFewMiBStayInTheHeapAndAreNotTrimmedOnFree) {
  if (!kGlibcAllocator) GTEST_SKIP() << "a sanitizer's allocator replaces glibc's here";
  ASSERT_EQ(unsetenv("GLIBC_TUNABLES"), 0);
  ASSERT_TRUE(TuneAllocatorForServing());
  // 20 MiB: glibc maps a block this size afresh unless the threshold is past it.
  constexpr size_t kBytes = 20 << 20;
  const size_t mapped_before = mallinfo2().hblkhd;
  char* block = static_cast<char*>(std::malloc(kBytes));
  ASSERT_NE(block, nullptr);
  g_escaped = block;
  std::memset(block, 1, kBytes);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before);  // from the heap, not a fresh mapping
  std::free(block);
  EXPECT_GE(mallinfo2().fordblks, kBytes);  // kept free in the heap for the next request
}

TEST(AllocatorTuning, AGlibcMallocTunableInTheEnvironmentWins) {
  ASSERT_EQ(setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1048576", 1), 0);
  EXPECT_FALSE(TuneAllocatorForServing());
  // Another kind of tunable does not: the settings apply (under a sanitizer, whose
  // allocator answers mallopt in its own way, the result says nothing).
  ASSERT_EQ(setenv("GLIBC_TUNABLES", "glibc.rtld.optional_static_tls=1024", 1), 0);
  const bool applied = TuneAllocatorForServing();
  if (kGlibcAllocator) {
    EXPECT_TRUE(applied);
  }
  ASSERT_EQ(unsetenv("GLIBC_TUNABLES"), 0);
}

}  // namespace
}  // namespace sluice::cli
