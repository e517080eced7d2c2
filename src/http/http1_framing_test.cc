#include "internal/http1_framing.h"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

TEST(Http1Framing, OnlyOnePlainChunkedCodingIsImplemented) {
  EXPECT_TRUE(OnlyChunked({}));
  EXPECT_TRUE(OnlyChunked({{"transfer-encoding", "chunked"}}));
  EXPECT_TRUE(OnlyChunked({{"transfer-encoding", " Chunked\t"}}));
  EXPECT_FALSE(OnlyChunked({{"transfer-encoding", "gzip, chunked"}}));
  EXPECT_FALSE(OnlyChunked({{"transfer-encoding", "chunked, chunked"}}));
  EXPECT_FALSE(OnlyChunked({{"transfer-encoding", "gzip"}, {"transfer-encoding", "chunked"}}));
  EXPECT_FALSE(OnlyChunked({{"transfer-encoding", "identity"}}));
}

TEST(Http1Framing, TheLastChunkIsToldFromAnOrdinaryOne) {
  EXPECT_TRUE(IsLastChunk("0\r\nx: y"));
  EXPECT_TRUE(IsLastChunk("\r\n000;ext=1\r\n"));
  EXPECT_FALSE(IsLastChunk("10\r\n"));
  EXPECT_FALSE(IsLastChunk("5;aaaa"));
  EXPECT_FALSE(IsLastChunk("000"));
  EXPECT_FALSE(IsLastChunk(""));
}

}  // namespace
}  // namespace sluice::http
