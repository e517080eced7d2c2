#include "stacks/intrinsics.h"

#include <gtest/gtest.h>

namespace sluice::stacks {
namespace {

class IntrinsicsTest : public ::testing::Test {
 protected:
  void Load(std::string_view body) {
    auto t = ParseTemplate(body);
    ASSERT_TRUE(t.ok()) << t.error().message;
    tmpl_ = std::move(*t);
    ctx_.tmpl = &tmpl_;
    ctx_.parameters = &params_;
    ctx_.pseudo.region = "eu-west-1";
    ctx_.pseudo.account_id = "123456789012";
    ctx_.pseudo.stack_name = "stream-dev";
    ctx_.pseudo.stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/stream-dev/id";
    ctx_.resource_ref = [](const std::string& id) -> StackResult<Json> { return Json("phys-" + id); };
    ctx_.get_att = [](const std::string& id, const std::string& attr) -> StackResult<Json> {
      if (attr != "Arn") return ValidationError("Template error: resource " + id + " does not support attribute type " + attr + " in Fn::GetAtt");
      return Json("arn:" + id);
    };
    ctx_.import_value = [](const std::string& name) -> StackResult<std::string> {
      if (name == "data-sources-dev:OutputBucketARN") return std::string("arn:aws:s3:::out-dev");
      return ValidationError("No export named " + name + " found. Rollback requested by user.");
    };
  }

  Json Eval(std::string_view yaml_value) {
    auto doc = ParseTemplateDocument(std::string("V: ") + std::string(yaml_value) + "\n");
    EXPECT_TRUE(doc.ok()) << doc.error().message;
    auto r = Resolve((*doc)["V"], ctx_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Json("<error>");
  }

  std::string Error(std::string_view yaml_value) {
    auto doc = ParseTemplateDocument(std::string("V: ") + std::string(yaml_value) + "\n");
    EXPECT_TRUE(doc.ok());
    auto r = Resolve((*doc)["V"], ctx_);
    EXPECT_FALSE(r.ok()) << yaml_value;
    return r.ok() ? "" : r.error().message;
  }

  Template tmpl_;
  std::map<std::string, std::string> params_{{"Stage", "dev"}, {"Project", "sp"}, {"Subnets", "a,b,c"}};
  EvalContext ctx_;
};

constexpr const char* kTemplate = R"(Parameters:
  Stage: {Type: String}
  Project: {Type: String}
  Subnets: {Type: CommaDelimitedList}
Mappings:
  Sizes:
    dev: {Shards: 1}
    prod: {Shards: 4}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [sp, !Ref Project]]
  Either: !Or [!Condition IsProd, !Equals [x, y]]
Resources:
  Stream: {Type: AWS::Kinesis::Stream}
  Fn: {Type: AWS::Lambda::Function}
)";

TEST_F(IntrinsicsTest, RefOfParametersPseudoParametersAndResources) {
  Load(kTemplate);
  EXPECT_EQ(Eval("!Ref Stage"), Json("dev"));
  EXPECT_EQ(Eval("!Ref Subnets"), Json::array({"a", "b", "c"}));
  EXPECT_EQ(Eval("!Ref AWS::Region"), Json("eu-west-1"));
  EXPECT_EQ(Eval("!Ref AWS::AccountId"), Json("123456789012"));
  EXPECT_EQ(Eval("!Ref AWS::StackName"), Json("stream-dev"));
  EXPECT_EQ(Eval("!Ref AWS::Partition"), Json("aws"));
  EXPECT_EQ(Eval("!Ref AWS::URLSuffix"), Json("amazonaws.com"));
  EXPECT_EQ(Eval("!Ref Stream"), Json("phys-Stream"));
}

TEST_F(IntrinsicsTest, SubInBothForms) {
  Load(kTemplate);
  EXPECT_EQ(Eval("!Sub '${Project}-${Stage}-deployment'"), Json("sp-dev-deployment"));
  EXPECT_EQ(Eval("!Sub 'arn:${AWS::Partition}:s3:::${Stream}/*'"), Json("arn:aws:s3:::phys-Stream/*"));
  EXPECT_EQ(Eval("!Sub '${Fn.Arn}:live'"), Json("arn:Fn:live"));
  EXPECT_EQ(Eval("!Sub '${!Literal}-${ Stage }'"), Json("${Literal}-dev"));
  EXPECT_EQ(Eval("!Sub ['${A}/${Stage}', {A: !Ref Project}]"), Json("sp/dev"));
  EXPECT_EQ(Error("!Sub '${Subnets}'"), "Template error: variable Subnets in Fn::Sub expression does not resolve to a string");
}

TEST_F(IntrinsicsTest, JoinSelectSplitGetAzsBase64) {
  Load(kTemplate);
  EXPECT_EQ(Eval("!Join ['', ['arn:aws:kinesis:', !Ref 'AWS::Region', ':', !Ref 'AWS::AccountId', ':stream/', !Ref Stream]]"),
            Json("arn:aws:kinesis:eu-west-1:123456789012:stream/phys-Stream"));
  EXPECT_EQ(Eval("!Join [',', !Ref Subnets]"), Json("a,b,c"));
  EXPECT_EQ(Eval("!Join [':', [!Ref AWS::StackName, 2]]"), Json("stream-dev:2"));
  EXPECT_EQ(Eval("!Select [1, !Split ['/', 'a/b/c']]"), Json("b"));
  EXPECT_EQ(Eval("!Select ['2', !Ref Subnets]"), Json("c"));
  EXPECT_EQ(Eval("!Select [0, !GetAZs '']"), Json("eu-west-1a"));
  EXPECT_EQ(Eval("!Base64 'hello'"), Json("aGVsbG8="));
  EXPECT_EQ(Error("!Select [3, [a, b]]"), "Template error: Fn::Select cannot select nonexistent value at index 3");
  EXPECT_EQ(Error("!Select [x, [a, b]]"),
            "Template error: Fn::Select requires a list argument with two elements: an integer index and a list");
}

TEST_F(IntrinsicsTest, GetAttBothFormsAndUnknownAttribute) {
  Load(kTemplate);
  EXPECT_EQ(Eval("!GetAtt Fn.Arn"), Json("arn:Fn"));
  EXPECT_EQ(Eval("{'Fn::GetAtt': [Fn, Arn]}"), Json("arn:Fn"));
  EXPECT_EQ(Error("!GetAtt Fn.Color"), "Template error: resource Fn does not support attribute type Color in Fn::GetAtt");
}

TEST_F(IntrinsicsTest, FindInMapAndImportValue) {
  Load(kTemplate);
  EXPECT_EQ(Eval("!FindInMap [Sizes, !Ref Stage, Shards]"), Json(1));
  EXPECT_EQ(Error("!FindInMap [Sizes, test, Shards]"), "Template error: Unable to get mapping for Sizes::test::Shards");
  EXPECT_EQ(Eval("!ImportValue {'Fn::Sub': 'data-sources-${Stage}:OutputBucketARN'}"), Json("arn:aws:s3:::out-dev"));
  EXPECT_EQ(Error("!ImportValue nothing"), "No export named nothing found. Rollback requested by user.");
}

TEST_F(IntrinsicsTest, ConditionsAndIfWithNoValue) {
  Load(kTemplate);
  auto conditions = EvaluateConditions(ctx_);
  ASSERT_TRUE(conditions.ok()) << conditions.error().message;
  EXPECT_FALSE(conditions->at("IsProd"));
  EXPECT_TRUE(conditions->at("IsDev"));
  EXPECT_TRUE(conditions->at("Both"));
  EXPECT_FALSE(conditions->at("Either"));
  ctx_.conditions = &*conditions;
  EXPECT_EQ(Eval("!If [IsProd, big, small]"), Json("small"));
  // AWS::NoValue removes the property from its object and the item from its list.
  EXPECT_EQ(Eval("{A: !If [IsProd, x, !Ref 'AWS::NoValue'], B: 1}"), Json({{"B", 1}}));
  EXPECT_EQ(Eval("[a, !If [IsDev, !Ref 'AWS::NoValue', b], c]"), Json::array({"a", "c"}));
}

TEST_F(IntrinsicsTest, UnsupportedFunctionsAreNamed) {
  Load(kTemplate);
  EXPECT_EQ(Error("!Length [a, b]").rfind("Template error: Encountered unsupported function: Fn::Length", 0), 0u);
  EXPECT_EQ(Error("!Ref Nope"),
            "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template");
}

}  // namespace
}  // namespace sluice::stacks
