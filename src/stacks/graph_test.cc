#include "stacks/graph.h"

#include <gtest/gtest.h>

namespace sluice::stacks {
namespace {

TEST(Graph, WavesFollowRefsGetAttsSubsAndDependsOn) {
  auto t = ParseTemplate(R"(Parameters: {Stage: {Type: String, Default: dev}}
Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !GetAtt Fn.Arn
      EventSourceArn: !Sub "arn:aws:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${Stream}"
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Role: !GetAtt Role.Arn, Description: !Ref Stage}
  Role: {Type: AWS::IAM::Role}
  Stream: {Type: AWS::Kinesis::Stream}
  Delivery: {Type: AWS::KinesisFirehose::DeliveryStream, DependsOn: [Role]}
)");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(DependenciesOf(*t, *t->FindResource("Mapping")), (std::set<std::string>{"Fn", "Stream"}));
  EXPECT_EQ(DependenciesOf(*t, *t->FindResource("Fn")), (std::set<std::string>{"Role"}));
  auto waves = CreationWaves(*t);
  ASSERT_TRUE(waves.ok()) << waves.error().message;
  const std::vector<std::vector<std::string>> expected = {
      {"Role", "Stream"}, {"Fn", "Delivery"}, {"Mapping"}};
  EXPECT_EQ(*waves, expected);
}

TEST(Graph, ResourcesWaitingOnACycleAreNotNamedInIt) {
  Template t;
  t.resources.push_back({"A", "AWS::S3::Bucket", Json::object(), {"B"}, {}, "Delete", "Delete"});
  t.resources.push_back({"B", "AWS::S3::Bucket", Json::object(), {"A"}, {}, "Delete", "Delete"});
  t.resources.push_back({"Waiter", "AWS::S3::Bucket", Json::object(), {"A"}, {}, "Delete", "Delete"});
  auto waves = CreationWaves(t);
  ASSERT_FALSE(waves.ok());
  EXPECT_EQ(waves.error().message, "Circular dependency between resources: [A, B]");
}

}  // namespace
}  // namespace sluice::stacks
