#include "stacks/parameters.h"

#include <gtest/gtest.h>

namespace sluice::stacks {
namespace {

constexpr const char* kTemplate = R"(Parameters:
  ProjectName: {Type: String, Default: streaming-pipeline, MinLength: 3, MaxLength: 30}
  Stage: {Type: String, AllowedValues: [dev, prod]}
  Shards: {Type: Number, Default: 2, MinValue: 1, MaxValue: 8}
  Zones: {Type: CommaDelimitedList, Default: "a,b"}
Resources: {B: {Type: AWS::S3::Bucket}}
)";

class ParametersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = ParseTemplate(kTemplate);
    ASSERT_TRUE(t.ok()) << t.error().message;
    t_ = std::move(*t);
  }
  std::string Error(std::vector<ParameterInput> in) {
    auto r = ResolveParameters(t_, in, nullptr);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }
  Template t_;
};

TEST_F(ParametersTest, DefaultsFillWhatIsNotGiven) {
  auto r = ResolveParameters(t_, {{"Stage", "dev"}}, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("ProjectName"), "streaming-pipeline");
  EXPECT_EQ(r->at("Stage"), "dev");
  EXPECT_EQ(r->at("Shards"), "2");
  EXPECT_EQ(r->at("Zones"), "a,b");
}

TEST_F(ParametersTest, ErrorsUseAwsWording) {
  EXPECT_EQ(Error({}), "Parameters: [Stage] must have values");
  EXPECT_EQ(Error({{"Stage", "dev"}, {"Stag", "x"}, {"Other", "y"}}),
            "Parameters: [Stag, Other] do not exist in the template");
  EXPECT_EQ(Error({{"Stage", "test"}}), "Parameter 'Stage' must be one of AllowedValues");
  EXPECT_EQ(Error({{"Stage", "dev"}, {"Shards", "two"}}), "Parameter 'Shards' must be a number");
  EXPECT_EQ(Error({{"Stage", "dev"}, {"Shards", "9"}}), "Parameter 'Shards' must be a number not greater than 8");
  EXPECT_EQ(Error({{"Stage", "dev"}, {"Shards", "0"}}), "Parameter 'Shards' must be a number not less than 1");
  EXPECT_EQ(Error({{"Stage", "dev"}, {"ProjectName", "ab"}}), "Parameter 'ProjectName' must contain at least 3 characters");
  EXPECT_EQ(Error({{"Stage", "dev"}, {"ProjectName", std::string(31, 'x')}}),
            "Parameter 'ProjectName' must contain at most 30 characters");
}

TEST_F(ParametersTest, UsePreviousValueTakesTheStacksValue) {
  const std::map<std::string, std::string> previous{{"Stage", "prod"}};
  ParameterInput in{"Stage", std::nullopt, true};
  auto r = ResolveParameters(t_, {in}, &previous);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("Stage"), "prod");
  auto none = ResolveParameters(t_, {in}, nullptr);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            "Invalid input for parameter key Stage. Cannot specify usePreviousValue as true for a parameter key not in the previous template");
}

}  // namespace
}  // namespace sluice::stacks

namespace sluice::stacks {
namespace {

std::string ResolveError(const char* body, std::vector<ParameterInput> in) {
  auto t = ParseTemplate(body);
  if (!t.ok()) return "template: " + t.error().message;
  auto r = ResolveParameters(*t, in, nullptr);
  return r.ok() ? "" : r.error().message;
}

TEST(ParameterConstraintsTest, AllowedPatternMatchesTheWholeValueAndEachListItem) {
  constexpr const char* kBody = R"(Parameters:
  Name: {Type: String, AllowedPattern: "[a-z][a-z0-9-]*"}
  Zones: {Type: CommaDelimitedList, AllowedPattern: "[a-z]{2}-[a-z]+-[0-9][a-z]", Default: "eu-west-1a"}
Resources: {B: {Type: AWS::S3::Bucket}}
)";
  EXPECT_EQ(ResolveError(kBody, {{"Name", "pipeline-1"}}), "");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "Pipeline"}}), "Parameter 'Name' must match pattern [a-z][a-z0-9-]*");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "pipe line"}}), "Parameter 'Name' must match pattern [a-z][a-z0-9-]*");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "p"}, {"Zones", "eu-west-1a,us-east-1b"}}), "");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "p"}, {"Zones", "eu-west-1a,bad"}}),
            "Parameter 'Zones' must match pattern [a-z]{2}-[a-z]+-[0-9][a-z]");
}

TEST(ParameterConstraintsTest, ConstraintDescriptionReplacesTheReason) {
  constexpr const char* kBody = R"(Parameters:
  Name: {Type: String, AllowedPattern: "[a-z]+", MaxLength: 5, ConstraintDescription: must be 1-5 lower-case letters}
  Count: {Type: Number, MinValue: 1, ConstraintDescription: must be positive, Default: 1}
  Stage: {Type: String, AllowedValues: [dev, prod], ConstraintDescription: dev or prod, Default: dev}
Resources: {B: {Type: AWS::S3::Bucket}}
)";
  EXPECT_EQ(ResolveError(kBody, {{"Name", "ABC"}}), "Parameter Name failed to satisfy constraint: must be 1-5 lower-case letters");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "abcdef"}}), "Parameter Name failed to satisfy constraint: must be 1-5 lower-case letters");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "abc"}, {"Count", "0"}}), "Parameter Count failed to satisfy constraint: must be positive");
  // A value that is no number is a type error, not a constraint.
  EXPECT_EQ(ResolveError(kBody, {{"Name", "abc"}, {"Count", "x"}}), "Parameter 'Count' must be a number");
  EXPECT_EQ(ResolveError(kBody, {{"Name", "abc"}, {"Stage", "qa"}}), "Parameter Stage failed to satisfy constraint: dev or prod");
}

TEST(ParameterConstraintsTest, ListOfNumbersChecksEachItemAndLengthsOnlyStrings) {
  constexpr const char* kBody = R"(Parameters:
  Sizes: {Type: List<Number>, MinValue: 1, MaxValue: 10}
  Names: {Type: CommaDelimitedList, MaxLength: 3}
Resources: {B: {Type: AWS::S3::Bucket}}
)";
  EXPECT_EQ(ResolveError(kBody, {{"Sizes", "1,2.5,10"}, {"Names", "alpha,beta"}}), "");
  EXPECT_EQ(ResolveError(kBody, {{"Sizes", "1,x"}, {"Names", "a"}}), "Parameter 'Sizes' must be a number");
  EXPECT_EQ(ResolveError(kBody, {{"Sizes", "1,11"}, {"Names", "a"}}), "Parameter 'Sizes' must be a number not greater than 10");
  EXPECT_EQ(ResolveError(kBody, {{"Sizes", "0"}, {"Names", "a"}}), "Parameter 'Sizes' must be a number not less than 1");
}

TEST(ParameterConstraintsTest, AwsSpecificTypesAreKnownAndTheirValuesChecked) {
  EXPECT_EQ(ResolveError("Parameters: {K: {Type: 'AWS::EC2::KeyPair::KeyName'}}\nResources: {B: {Type: AWS::S3::Bucket}}",
                         {{"K", "my-key"}}),
            "Parameter validation failed: parameter value my-key for parameter name K does not exist. Rollback requested by user.");
  EXPECT_EQ(ResolveError("Parameters: {S: {Type: 'List<AWS::EC2::Subnet::Id>'}}\nResources: {B: {Type: AWS::S3::Bucket}}",
                         {{"S", "subnet-1"}}),
            "Parameter validation failed: parameter value subnet-1 for parameter name S does not exist. Rollback requested by user.");
  EXPECT_EQ(ResolveError("Parameters: {P: {Type: 'AWS::SSM::Parameter::Value<String>'}}\nResources: {B: {Type: AWS::S3::Bucket}}",
                         {{"P", "/app/key"}}),
            "Unable to fetch parameters [/app/key] from parameter store for this account.");
  EXPECT_EQ(ResolveError("Parameters: {Z: {Type: 'List<AWS::EC2::AvailabilityZone::Name>'}}\nResources: {B: {Type: AWS::S3::Bucket}}",
                         {{"Z", "us-east-1a,us-east-1b"}}),
            "");
  EXPECT_EQ(ResolveError("Parameters: {X: {Type: 'AWS::EC2::Bogus::Id'}}\nResources: {B: {Type: AWS::S3::Bucket}}", {}),
            "template: Template format error: Unrecognized parameter type: AWS::EC2::Bogus::Id");
  EXPECT_EQ(ResolveError("Parameters: {X: {Type: 'List<AWS::EC2::KeyPair::KeyName>'}}\nResources: {B: {Type: AWS::S3::Bucket}}", {}),
            "template: Template format error: Unrecognized parameter type: List<AWS::EC2::KeyPair::KeyName>");
  EXPECT_TRUE(KnownParameterType("AWS::SSM::Parameter::Value<List<AWS::EC2::Image::Id>>"));
  EXPECT_FALSE(KnownParameterType("AWS::SSM::Parameter::Value<Number>"));
}

TEST(ParameterConstraintsTest, ABrokenPatternFailsTheTemplate) {
  EXPECT_EQ(ResolveError("Parameters: {N: {Type: String, AllowedPattern: '(a)\\1'}}\nResources: {B: {Type: AWS::S3::Bucket}}", {}),
            "template: Template format error: Parameter 'N' has an AllowedPattern sluice cannot use: back-references are not supported near index 5");
}

}  // namespace
}  // namespace sluice::stacks

namespace sluice::stacks {
namespace {

// Lengths far outside int64 once overflowed their conversion (undefined behaviour the
// sanitizer build reports); they are clamped, and no value is that long.
TEST(ParameterConstraintsTest, HugeLengthsDoNotOverflow) {
  auto t = ParseTemplate("Parameters: {N: {Type: String, MinLength: 1e300, MaxLength: -1e300}}\n"
                         "Resources: {B: {Type: AWS::S3::Bucket}}\n");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(*t->parameters[0].min_length, 1000000000000000000);
  EXPECT_EQ(*t->parameters[0].max_length, -1000000000000000000);
  auto r = ResolveParameters(*t, {{"N", "x"}}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "Parameter 'N' must contain at least 1000000000000000000 characters");
}

}  // namespace
}  // namespace sluice::stacks
