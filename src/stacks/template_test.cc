#include "stacks/template.h"

#include <gtest/gtest.h>

namespace sluice::stacks {
namespace {

// The shapes the reference's data-sources and stream templates use.
constexpr const char* kStreamTemplate = R"(AWSTemplateFormatVersion: "2010-09-09"
Description: stream stack
Parameters:
  ProjectName:
    Type: String
    Default: streaming-pipeline
  Stage:
    Type: String
    AllowedValues: [dev, prod]
  WriteCodeKey:
    Type: String
    Default: write_to_s3.zip
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: !Sub "${ProjectName}-${Stage}-ingress"
      ShardCount: 2
      RetentionPeriodHours: 48
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: [lambda.amazonaws.com]}
            Action: ["sts:AssumeRole"]
  WriteFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.6
      Handler: lambda_function.lambda_handler
      Role: !GetAtt Role.Arn
      Code:
        S3Bucket:
          Fn::ImportValue: !Sub "data-sources-${Stage}:DeploymentBucket"
        S3Key: !Ref WriteCodeKey
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !Join ["", ["arn:aws:kinesis:", !Ref "AWS::Region", ":", !Ref "AWS::AccountId", ":stream/", !Ref Stream]]
      FunctionName: !GetAtt WriteFunction.Arn
      BatchSize: 1000
      StartingPosition: LATEST
Outputs:
  StreamName:
    Value: !Ref Stream
    Export:
      Name: !Join [":", [!Ref "AWS::StackName", StreamName]]
)";

TEST(Template, ParsesTheReferenceShapesAndTurnsShortTagsIntoLongForm) {
  auto t = ParseTemplate(kStreamTemplate);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->format_version, "2010-09-09");
  ASSERT_EQ(t->parameters.size(), 3u);
  EXPECT_EQ(t->parameters[1].name, "Stage");
  EXPECT_EQ(t->parameters[1].allowed_values, (std::vector<std::string>{"dev", "prod"}));
  EXPECT_FALSE(t->parameters[1].default_value.has_value());
  ASSERT_EQ(t->resources.size(), 4u);
  const ResourceDecl* stream = t->FindResource("Stream");
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(stream->type, "AWS::Kinesis::Stream");
  EXPECT_EQ(stream->properties["Name"], Json({{"Fn::Sub", "${ProjectName}-${Stage}-ingress"}}));
  EXPECT_EQ(stream->properties["ShardCount"], Json(2));  // a plain scalar is a number
  const ResourceDecl* fn = t->FindResource("WriteFunction");
  EXPECT_EQ(fn->properties["Role"], Json({{"Fn::GetAtt", "Role.Arn"}}));
  EXPECT_EQ(fn->properties["Code"]["S3Bucket"],
            Json({{"Fn::ImportValue", {{"Fn::Sub", "data-sources-${Stage}:DeploymentBucket"}}}}));
  EXPECT_EQ(fn->properties["Runtime"], Json("python3.6"));
  const ResourceDecl* mapping = t->FindResource("Mapping");
  EXPECT_EQ(mapping->properties["EventSourceArn"]["Fn::Join"][1][1], Json({{"Ref", "AWS::Region"}}));
  ASSERT_EQ(t->outputs.size(), 1u);
  ASSERT_TRUE(t->outputs[0].export_name.has_value());
  EXPECT_EQ((*t->outputs[0].export_name)["Fn::Join"][0], Json(":"));
}

TEST(Template, QuotedScalarsStayStringsAndLeadingZerosKeepTheirText) {
  auto doc = ParseTemplateDocument("A: \"2\"\nB: 2\nC: 012345678901\nD: 1.5\nE: true\nF: 'true'\nG:\n");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)["A"], Json("2"));
  EXPECT_EQ((*doc)["B"], Json(2));
  EXPECT_EQ((*doc)["C"], Json("012345678901"));
  EXPECT_EQ((*doc)["D"], Json(1.5));
  EXPECT_EQ((*doc)["E"], Json(true));
  EXPECT_EQ((*doc)["F"], Json("true"));
  EXPECT_TRUE((*doc)["G"].is_null());
}

TEST(Template, ShortTagsOnSequencesAndNesting) {
  auto doc = ParseTemplateDocument(
      "X: !If [IsProd, !Ref A, !Ref \"AWS::NoValue\"]\nY: !Condition C\nZ: !Select [0, !GetAZs '']\n");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ((*doc)["X"], Json({{"Fn::If", Json::array({"IsProd", {{"Ref", "A"}}, {{"Ref", "AWS::NoValue"}}})}}));
  EXPECT_EQ((*doc)["Y"], Json({{"Condition", "C"}}));
  EXPECT_EQ((*doc)["Z"], Json({{"Fn::Select", Json::array({0, {{"Fn::GetAZs", ""}}})}}));
}

TEST(Template, JsonTemplatesParse) {
  auto t = ParseTemplate(R"({"Resources": {"B": {"Type": "AWS::S3::Bucket",
      "Properties": {"BucketName": {"Fn::Sub": "${AWS::StackName}-out"}}}}})");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->resources[0].logical_id, "B");
}

void ExpectError(std::string_view body, const std::string& message) {
  auto t = ParseTemplate(body);
  ASSERT_FALSE(t.ok()) << body;
  EXPECT_EQ(t.error().code, StackErrorType::kValidationError);
  EXPECT_EQ(t.error().message, message);
}

TEST(Template, MalformedDocumentsNameThePosition) {
  ExpectError("Resources:\n  B: [unclosed\n", "Template format error: YAML not well-formed. (line 3, column 1)");
  ExpectError("{\"Resources\": {\n  \"B\": }", "Template format error: JSON not well-formed. (line 2, column 8)");
  ExpectError("- just\n- a list\n", "Template format error: unsupported structure.");
  ExpectError("", "Template format error: unsupported structure.");
}

TEST(Template, StructuralErrorsUseAwsWording) {
  ExpectError("Description: x\n", "Template format error: At least one Resources member must be defined.");
  ExpectError("Resources: {}\n", "Template format error: At least one Resources member must be defined.");
  ExpectError("Resourcez: {}\nFoo: 1\nResources: {B: {Type: AWS::S3::Bucket}}\n",
              "Invalid template property or properties [Resourcez, Foo]");
  ExpectError("Resources:\n  B:\n    Properties: {}\n",
              "Template format error: [/Resources/B] Every Resources object must contain a Type member.");
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Propertys: {}\n",
              "Invalid template resource property 'Propertys'");
  ExpectError("Resources:\n  my-bucket:\n    Type: AWS::S3::Bucket\n",
              "Template format error: Resource name my-bucket is non alphanumeric.");
  ExpectError("Parameters:\n  P: {Type: Strin}\nResources: {B: {Type: AWS::S3::Bucket}}\n",
              "Template format error: Unrecognized parameter type: Strin");
  ExpectError("Parameters:\n  P: {Default: x}\nResources: {B: {Type: AWS::S3::Bucket}}\n",
              "Template format error: Every Parameters object must contain a Type member.");
  ExpectError("Parameters:\n  P: {Type: String, Defualt: x}\nResources: {B: {Type: AWS::S3::Bucket}}\n",
              "Invalid template parameter property 'Defualt'");
  ExpectError("Resources: {B: {Type: AWS::S3::Bucket}}\nOutputs:\n  O: {Description: x}\n",
              "Template format error: Every Outputs member must contain a Value object");
  ExpectError("AWSTemplateFormatVersion: 2011-01-01\nResources: {B: {Type: AWS::S3::Bucket}}\n",
              "Template format error: Unsupported template version: 2011-01-01");
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Keep\n",
              "Template format error: Unrecognized DeletionPolicy Keep for resource B");
}

TEST(Template, UnresolvedReferencesAreNamed) {
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Ref Missing}\n",
              "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template");
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Sub '${Nope}-x'}\n",
              "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template");
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !GetAtt Ghost.Arn}\n",
              "Template error: instance of Fn::GetAtt references undefined resource Ghost");
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    DependsOn: Ghost\n",
              "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template");
  ExpectError("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Condition: IsProd\n",
              "Template format error: Unresolved condition dependency IsProd in the Condition attribute of resource B");
  ExpectError("Resources: {B: {Type: AWS::S3::Bucket}}\nOutputs:\n  O: {Value: !Ref Nope}\n",
              "Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template");
  // Escaped ${!Literal} and bound Fn::Sub variables are not references.
  auto t = ParseTemplate(
      "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
      "      BucketName: !Sub ['${!Literal}-${Var}', {Var: x}]\n");
  EXPECT_TRUE(t.ok()) << t.error().message;
}

TEST(Template, CyclesAreRefused) {
  ExpectError("Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref B}}\n"
              "  B: {Type: AWS::S3::Bucket, DependsOn: C}\n"
              "  C: {Type: AWS::S3::Bucket, Properties: {BucketName: !GetAtt B.Arn}}\n",
              "Circular dependency between resources: [B, C]");
  ExpectError("Resources:\n  A: {Type: AWS::S3::Bucket, DependsOn: A}\n",
              "Circular dependency between resources: [A]");
}

TEST(Template, TransformsAreRefusedClearly) {
  auto t = ParseTemplate("Transform: AWS::Serverless-2016-10-31\nResources: {B: {Type: AWS::S3::Bucket}}\n");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("Transform \"AWS::Serverless-2016-10-31\" is not supported by sluice"),
            std::string::npos)
      << t.error().message;
}

TEST(Template, YamlAliasesAreRefusedAsCloudFormationDoes) {
  // Seven levels of ten aliases each are 497 bytes; converting them took 6 s and 1.7 GB,
  // and an eighth level would have exhausted the server's memory.
  std::string laughs = "Metadata:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    laughs += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k > 0 ? ", *l" : "*l") + std::to_string(i - 1);
    laughs += "]\n";
  }
  laughs += "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
  const std::string kRefusal = "Template error: YAML aliases are not allowed in CloudFormation templates";
  ExpectError(laughs, kRefusal);
  // A merge key is an alias too; an anchor alone is harmless and accepted.
  ExpectError("Resources:\n  A: &a {Type: AWS::S3::Bucket}\n  B:\n    <<: *a\n", kRefusal);
  auto anchored = ParseTemplate("Resources:\n  A: &a {Type: AWS::S3::Bucket}\n");
  ASSERT_TRUE(anchored.ok()) << anchored.error().message;
  EXPECT_EQ(anchored->resources.size(), 1u);
}

TEST(Template, HostileNestingIsBounded) {
  std::string deep = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "\n";
  auto t = ParseTemplate(deep);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, StackErrorType::kValidationError);
}

}  // namespace
}  // namespace sluice::stacks
