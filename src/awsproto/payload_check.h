// Checks a request body, as it arrives, against what its verified head promised in
// x-amz-content-sha256: the SHA-256 of the whole body, or (aws-chunked streaming) each
// chunk's signature chained from the seed signature and the trailer signature. Framing
// errors are left to the service that decodes the body; only what authentication
// covers is reported here. Not thread-safe: one body, fed in order.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "awsproto/auth_failure.h"
#include "awsproto/aws_chunked.h"
#include "awsproto/sigv4_verify.h"
#include "base/hash.h"

namespace sluice::awsproto {

class PayloadCheck {
 public:
  // `x_amz_trailer`: the request's header, naming the trailer the body may carry.
  PayloadCheck(const VerifiedHead& head, std::string_view x_amz_trailer);

  // Whether the body needs checking at all (not for UNSIGNED-PAYLOAD).
  static bool Needed(const VerifiedHead& head);

  // The failure, once one is found; later calls return nothing new.
  std::optional<AuthFailure> Feed(std::string_view piece);
  std::optional<AuthFailure> Finish();

 private:
  std::optional<AuthFailure> FromDecoder(const Status& st);

  const VerifiedHead head_;
  std::unique_ptr<HashStream> sha256_;         // kSha256
  std::unique_ptr<AwsChunkedDecoder> chunks_;  // the streaming modes
  bool done_ = false;
};

}  // namespace sluice::awsproto
