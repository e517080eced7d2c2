// The string patterns of the Firehose API, as its reference prints them, each with a
// matcher that runs in linear time over the request's bytes.
#pragma once

#include <string_view>

#include "awsproto/schema.h"

namespace sluice::frontends::firehose {

extern const awsproto::Pattern kNamePattern;        // [a-zA-Z0-9_.-]+
extern const awsproto::Pattern kRoleArnPattern;     // arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+
extern const awsproto::Pattern kBucketArnPattern;   // arn:.*:s3:::[\w\.\-]{1,255}
extern const awsproto::Pattern kStreamArnPattern;   // arn:.*:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.-]+
extern const awsproto::Pattern kPrefixPattern;      // .*
extern const awsproto::Pattern kNonBlankPattern;    // ^(?!\s*$).+
extern const awsproto::Pattern kVersionIdPattern;   // [0-9]+
extern const awsproto::Pattern kDestinationIdPattern;  // [a-zA-Z0-9-]+
extern const awsproto::Pattern kTagKeyPattern;      // ^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$
extern const awsproto::Pattern kTagValuePattern;    // ^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$
extern const awsproto::Pattern kLogGroupNamePattern;   // [\.\-_/#A-Za-z0-9]*
extern const awsproto::Pattern kLogStreamNamePattern;  // [^:*]*

// arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+ ('.' matches anything but a line break).
bool MatchesRoleArn(std::string_view s);
bool MatchesBucketArn(std::string_view s);
bool MatchesStreamArn(std::string_view s);

}  // namespace sluice::frontends::firehose
