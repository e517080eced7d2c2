// Internal to the delivery module: Firehose's error log (CloudWatchLoggingOptions). An
// error becomes one JSON event as Firehose writes it:
//
//   {"deliveryStreamARN":"arn:aws:firehose:…:deliverystream/<name>",
//    "destination":"arn:aws:s3:::<bucket>","deliveryStreamVersionId":<version>,
//    "message":"<Firehose's message for the code>","errorCode":"<code>"
//    [,"processor":"<Lambda ARN>"]}            (processor: Lambda invocation errors only)
//
// and goes to the destination's LogGroupName / LogStreamName through the ErrorLogSink,
// when the options are enabled and a sink is set. The error codes and messages are the
// ones AWS's "Monitoring with CloudWatch Logs" lists (S3.NoSuchBucket, S3.AccessDenied,
// Lambda.FunctionError, ...) and those of the error output records (processing and
// partitioning failures). AWS samples its error log when failures are frequent; sluice
// writes each distinct (code, message, processor) once per delivery attempt, so a
// failing batch of 10,000 records is one event, not 10,000. Stateless; thread-safe if the
// sink is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/delivery.h"
#include "objects/errors.h"

namespace sluice::delivery {

struct DeliveryError {
  std::string code;       // errorCode
  std::string message;    // message
  std::string processor;  // the Lambda function's ARN for a Lambda error, else ""
  bool operator==(const DeliveryError&) const = default;
};

// The event's JSON text (members in Firehose's order).
std::string ErrorLogEvent(const std::string& stream_arn, const S3Destination& d, int64_t version,
                          const DeliveryError& e);

// What Firehose logs when writing an object failed with `code`: S3.NoSuchBucket,
// S3.AccessDenied, S3.MethodNotAllowed with their messages, else InternalError.
DeliveryError S3WriteError(objects::S3Error code);

// The distinct errors of error output lines (JSON objects with errorCode and
// errorMessage, one a line; lambdaArn is the processor), in first-seen order.
// Lambda.ProcessingFailedStatus is left out: AWS leaves that one to the function's own
// log.
std::vector<DeliveryError> ErrorsOfErrorOutput(std::string_view lines);

// Writes `errors` to d's log stream when d enables CloudWatch logging and `sink` is set.
void LogDeliveryErrors(ErrorLogSink* sink, const std::string& stream_arn, const S3Destination& d, int64_t version,
                       int64_t now_ms, const std::vector<DeliveryError>& errors);
// The same for the errors of an error output's lines (read only when logging is on).
void LogErrorOutput(ErrorLogSink* sink, const std::string& stream_arn, const S3Destination& d, int64_t version,
                    int64_t now_ms, std::string_view lines);

}  // namespace sluice::delivery
