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
