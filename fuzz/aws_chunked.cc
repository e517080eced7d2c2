// aws-chunked bodies (src/awsproto/aws_chunked.h). The input is the body; its first
// byte also picks where the body is cut into the pieces the decoder is fed, as a
// socket would deliver it. Invariants:
//   - the result (data, trailers, error or not) does not depend on how the body is cut;
//   - the data is never longer than the body, and decoded_size() counts it;
//   - what decodes re-encodes (one chunk, the same trailers) and decodes back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "awsproto/aws_chunked.h"
#include "check.h"

namespace {

using sluice::awsproto::AwsChunkedDecoder;
using sluice::awsproto::DecodeAwsChunked;

std::string Hex(uint64_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[n % 16]);
    n /= 16;
  } while (n != 0);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto whole = DecodeAwsChunked(body);

  // The same body in pieces of 1..16 bytes (the step comes from the first byte).
  const size_t step = size == 0 ? 1 : 1 + data[0] % 16;
  AwsChunkedDecoder pieces;
  std::string out;
  sluice::Status status;
  for (size_t at = 0; at < body.size() && status.ok(); at += step) {
    status = pieces.Feed(body.substr(at, step), &out);
  }
  if (status.ok()) status = pieces.Finish();
  FUZZ_CHECK(status.ok() == whole.ok());
  if (!whole.ok()) {
    FUZZ_CHECK(whole.status().code() == sluice::StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(out == whole->data);
  FUZZ_CHECK(pieces.trailers() == whole->trailers);
  FUZZ_CHECK(pieces.decoded_size() == out.size());
  FUZZ_CHECK(out.size() <= body.size());

  // Re-encoded as one chunk with the same trailers, it decodes to the same result.
  std::string again;
  if (!whole->data.empty()) again = Hex(whole->data.size()) + "\r\n" + whole->data + "\r\n";
  again += "0\r\n";
  for (const auto& [name, value] : whole->trailers) again += name + ":" + value + "\r\n";
  again += "\r\n";
  const auto back = DecodeAwsChunked(again);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back->data == whole->data);
  FUZZ_CHECK(back->trailers == whole->trailers);
  return 0;
}
