#include "internal/mapping_config.h"

#include <gtest/gtest.h>

namespace sluice::functions::internal {
namespace {

MappingInput Valid() {
  MappingInput in;
  in.function_name = "f";
  in.event_source_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/ingress";
  in.starting_position = "LATEST";
  return in;
}

MappingError CreateError(const MappingInput& in) {
  auto r = ValidateCreate(in);
  EXPECT_FALSE(r.ok());
  return r.ok() ? MappingError{} : r.error();
}

TEST(MappingConfig, DefaultsAreLambdas) {
  auto c = ValidateCreate(Valid());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->batch_size, 100);
  EXPECT_EQ(c->maximum_batching_window_in_seconds, 0);
  EXPECT_EQ(c->parallelization_factor, 1);
  EXPECT_EQ(c->maximum_retry_attempts, -1);
  EXPECT_EQ(c->maximum_record_age_in_seconds, -1);
  EXPECT_TRUE(c->enabled);
  EXPECT_FALSE(c->bisect_batch_on_function_error);
}

TEST(MappingConfig, BatchSizeOverTenNeedsNoBatchingWindowForKinesis) {
  MappingInput in = Valid();
  in.batch_size = 10'000;
  EXPECT_TRUE(ValidateCreate(in).ok());
}

TEST(MappingConfig, ModelViolationsAreOneValidationExceptionListingEach) {
  MappingInput in = Valid();
  in.batch_size = 0;
  in.parallelization_factor = 11;
  in.maximum_retry_attempts = -2;
  const MappingError e = CreateError(in);
  EXPECT_EQ(e.code, MappingErrorType::kValidation);
  EXPECT_EQ(e.message,
            "3 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1; Value '11' at "
            "'parallelizationFactor' failed to satisfy constraint: Member must have value less "
            "than or equal to 10; Value '-2' at 'maximumRetryAttempts' failed to satisfy "
            "constraint: Member must have value greater than or equal to -1");
}

TEST(MappingConfig, EachLimitOfTheModel) {
  struct Case {
    std::optional<int64_t> MappingInput::*field;
    int64_t bad;
    const char* wire;
  };
  for (const Case& c : {Case{&MappingInput::batch_size, 10'001, "batchSize"},
                        Case{&MappingInput::maximum_batching_window_in_seconds, 301, "maximumBatchingWindowInSeconds"},
                        Case{&MappingInput::parallelization_factor, 0, "parallelizationFactor"},
                        Case{&MappingInput::maximum_record_age_in_seconds, 604'801, "maximumRecordAgeInSeconds"},
                        Case{&MappingInput::maximum_retry_attempts, 10'001, "maximumRetryAttempts"},
                        Case{&MappingInput::tumbling_window_in_seconds, 901, "tumblingWindowInSeconds"}}) {
    MappingInput in = Valid();
    in.*(c.field) = c.bad;
    const MappingError e = CreateError(in);
    EXPECT_EQ(e.code, MappingErrorType::kValidation) << c.wire;
    EXPECT_NE(e.message.find(std::string("at '") + c.wire + "'"), std::string::npos) << e.message;
  }
}

TEST(MappingConfig, StartingPositionRules) {
  MappingInput in = Valid();
  in.starting_position.reset();
  MappingError e = CreateError(in);
  EXPECT_EQ(e.code, MappingErrorType::kInvalidParameterValue);
  EXPECT_EQ(e.message, "1 validation error detected: Value null at 'startingPosition' failed to "
                       "satisfy constraint: Member must not be null.");
  in.starting_position = "EARLIEST";
  e = CreateError(in);
  EXPECT_EQ(e.code, MappingErrorType::kValidation);
  EXPECT_EQ(e.message, "1 validation error detected: Value 'EARLIEST' at 'startingPosition' failed "
                       "to satisfy constraint: Member must satisfy enum value set: [LATEST, "
                       "AT_TIMESTAMP, TRIM_HORIZON]");
  in.starting_position = "AT_TIMESTAMP";
  e = CreateError(in);
  EXPECT_EQ(e.code, MappingErrorType::kInvalidParameterValue);
  in.starting_position_timestamp = 1'700'000'000.5;
  auto c = ValidateCreate(in);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->starting_position_timestamp_ms, 1'700'000'000'500);
}

TEST(MappingConfig, KinesisRulesAfterTheModel) {
  MappingInput in = Valid();
  in.event_source_arn.reset();
  EXPECT_EQ(CreateError(in).message, "Unrecognized event source.");
  in = Valid();
  in.maximum_record_age_in_seconds = 59;
  EXPECT_EQ(CreateError(in).message,
            "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)");
  in.maximum_record_age_in_seconds = 60;
  EXPECT_TRUE(ValidateCreate(in).ok());
  in = Valid();
  in.has_destination_config = true;
  in.has_on_success_destination = true;
  EXPECT_EQ(CreateError(in).message,
            "Unsupported DestinationConfig parameter for given event source mapping type.");
  in = Valid();
  in.filter_patterns = std::vector<std::string>{"{"};
  EXPECT_EQ(CreateError(in).message, "Invalid filter pattern definition.");
  in.filter_patterns = std::vector<std::string>{R"({"data":{"a":[{"wildcard":"*"}]}})"};
  EXPECT_NE(CreateError(in).message.find("not supported by sluice"), std::string::npos);
  in = Valid();
  in.tumbling_window_in_seconds = 900;
  ASSERT_TRUE(ValidateCreate(in).ok());
  EXPECT_EQ(ValidateCreate(in)->tumbling_window_in_seconds, 900);
  in.tumbling_window_in_seconds = 901;
  EXPECT_EQ(CreateError(in).message,
            "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy "
            "constraint: Member must have value less than or equal to 900");
  in.tumbling_window_in_seconds = -1;
  EXPECT_EQ(CreateError(in).message,
            "1 validation error detected: Value '-1' at 'tumblingWindowInSeconds' failed to satisfy "
            "constraint: Member must have value greater than or equal to 0");
  in = Valid();
  in.has_destination_config = true;
  in.on_failure_destination = "arn:aws:sqs:us-east-1:000000000000:dlq";
  EXPECT_EQ(CreateError(in).code, MappingErrorType::kInvalidParameterValue);
  in.on_failure_destination = "not-an-arn";
  EXPECT_EQ(CreateError(in).code, MappingErrorType::kValidation);
  in.on_failure_destination = "arn:aws:s3:::failures";
  auto c = ValidateCreate(in);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->on_failure_destination, "arn:aws:s3:::failures");
  in.function_response_types = std::vector<std::string>{"Nope"};
  EXPECT_EQ(CreateError(in).code, MappingErrorType::kValidation);
}

TEST(MappingConfig, UpdateChangesOnlyWhatIsGiven) {
  auto c = ValidateCreate(Valid());
  ASSERT_TRUE(c.ok());
  MappingInput up;
  up.batch_size = 7;
  up.function_response_types = std::vector<std::string>{"ReportBatchItemFailures"};
  auto u = ValidateUpdate(*c, up);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->batch_size, 7);
  EXPECT_TRUE(u->report_batch_item_failures);
  EXPECT_EQ(u->starting_position, StartingPosition::kLatest);
  up.function_response_types = std::vector<std::string>{};
  EXPECT_FALSE(ValidateUpdate(*u, up)->report_batch_item_failures);
}

TEST(MappingConfig, JsonRoundTrip) {
  MappingInput in = Valid();
  in.starting_position = "AT_TIMESTAMP";
  in.starting_position_timestamp = 12.25;
  in.filter_patterns = std::vector<std::string>{R"({"partitionKey":["a"]})"};
  in.bisect_batch_on_function_error = true;
  auto c = ValidateCreate(in);
  ASSERT_TRUE(c.ok());
  c->function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
  c->stream_name = "ingress";
  auto back = ConfigFromJson(ConfigToJson(*c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ConfigToJson(*back), ConfigToJson(*c));
  EXPECT_EQ(back->starting_position_timestamp_ms, 12'250);
  EXPECT_EQ(ConfigFromJson("{}").status().code(), StatusCode::kCorruption);
}

TEST(MappingConfig, BucketFromArn) {
  EXPECT_EQ(BucketFromArn("arn:aws:s3:::b"), "b");
  EXPECT_EQ(BucketFromArn("arn:aws:s3:::b/k"), "");
  EXPECT_EQ(BucketFromArn("arn:aws:sqs:us-east-1:1:q"), "");
}

}  // namespace
}  // namespace sluice::functions::internal
