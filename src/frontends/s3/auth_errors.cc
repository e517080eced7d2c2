// S3's answers to requests that failed SigV4 authentication (the gateway verifies;
// this words the failure): the <Error> document with the elements S3 adds, such as
// StringToSign and CanonicalRequest for SignatureDoesNotMatch. Also its answers to
// aws-chunked bodies the decoder refuses.
#include "frontends/s3/s3_service.h"

#include "awsproto/request_id.h"
#include "internal/ops.h"
#include "base/xml.h"

namespace sluice::frontends::s3 {

awsproto::SigV4Rules S3Service::AuthRules() const {
  return {.path = sigv4::PathCanonicalization::kAsIs, .max_skew_ms = 15 * 60 * 1000, .s3_payload = true};
}

Response S3Service::AuthFailed(const RequestHead& head, const awsproto::AuthFailure& failure) const {
  const std::string request_id = awsproto::NewS3RequestId();
  std::string body = "<Error>";
  XmlElement(body, "Code", awsproto::S3ErrorCode(failure.code));
  XmlElement(body, "Message", failure.s3_message);
  for (const auto& [name, value] : failure.s3_details) XmlElement(body, name, value);
  XmlElement(body, "RequestId", request_id);
  body += "</Error>";
  Response r = Xml(awsproto::S3ErrorStatus(failure.code), std::move(body));
  if (head.method == "HEAD") {  // HEAD answers carry no body
    r.body.clear();
    r.headers.clear();
  }
  r.headers.emplace_back("x-amz-request-id", request_id);
  return r;
}

Response AwsChunkedRefusal(const Call& c, awsproto::AwsChunkedError kind) {
  if (kind == awsproto::AwsChunkedError::kMalformedTrailer) {
    return Error(c, objects::S3Error::kMalformedTrailerError,
                 "The request contained trailing data that was not well-formed or did not conform to our "
                 "published schema.");
  }
  return Error(c, objects::S3Error::kIncompleteBody, "The request body terminated unexpectedly");
}

}  // namespace sluice::frontends::s3
