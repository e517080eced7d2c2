#include "awsproto/query_protocol.h"

#include <gtest/gtest.h>

namespace sluice::awsproto {
namespace {

TEST(QueryProtocol, DecodesFormsListsAndStructures) {
  auto q = QueryParams::Parse(
      "Action=CreateStack&Version=2010-05-15&StackName=stream-dev&TemplateBody=a%3A+b%0A"
      "&Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_NAMED_IAM"
      "&Parameters.member.1.ParameterKey=Stage&Parameters.member.1.ParameterValue=dev"
      "&Parameters.member.2.ParameterKey=Code&Parameters.member.2.UsePreviousValue=true"
      "&Parameters.member.4.ParameterKey=Skipped&&");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->action(), "CreateStack");
  EXPECT_EQ(q->version(), "2010-05-15");
  EXPECT_EQ(q->Get("TemplateBody"), "a: b\n");
  EXPECT_EQ(q->List("Capabilities"), (std::vector<std::string>{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}));
  auto params = q->StructList("Parameters");
  ASSERT_EQ(params.size(), 2u);  // member.3 is missing: the list ends there, as AWS reads it
  EXPECT_EQ(params[0].at("ParameterKey"), "Stage");
  EXPECT_EQ(params[0].at("ParameterValue"), "dev");
  EXPECT_EQ(params[1].at("UsePreviousValue"), "true");
  EXPECT_FALSE(q->Get("Missing").has_value());
  EXPECT_TRUE(q->List("Missing").empty());
}

TEST(QueryProtocol, RefusesMalformedEscapesAndTooManyParameters) {
  EXPECT_FALSE(QueryParams::Parse("Action=%4").ok());
  EXPECT_FALSE(QueryParams::Parse("Action=%zz").ok());
  EXPECT_FALSE(QueryParams::Parse("Action%").ok());
  std::string many;
  for (size_t i = 0; i <= kMaxQueryParams; ++i) many += "k" + std::to_string(i) + "=v&";
  auto q = QueryParams::Parse(many);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
}

TEST(QueryProtocol, AnswersAndErrorsAreAwsXml) {
  const QueryProtocol p{"http://cloudformation.amazonaws.com/doc/2010-05-15/", "2010-05-15"};
  XmlBuilder b;
  b.Leaf("StackId", "arn:aws:cloudformation:us-east-1:1:stack/s/<id>&");
  auto r = QueryResponse(p, "CreateStack", b.Take(), "req-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "<CreateStackResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><CreateStackResult>"
            "<StackId>arn:aws:cloudformation:us-east-1:1:stack/s/&lt;id&gt;&amp;</StackId></CreateStackResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateStackResponse>");
  auto d = QueryResponse(p, "DeleteStack", "", "req-2", /*with_result=*/false);
  EXPECT_EQ(d.body.find("DeleteStackResult"), std::string::npos);
  auto e = QueryError(p, 400, "ValidationError", "Stack with id x does not exist", "req-3");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.body,
            "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type>"
            "<Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error>"
            "<RequestId>req-3</RequestId></ErrorResponse>");
}

TEST(QueryProtocol, RecognisesFormPostsToTheRoot) {
  http::RequestHead head;
  head.method = "POST";
  head.target = "/";
  head.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_TRUE(IsQueryShaped(head));
  head.target = "/bucket";
  EXPECT_FALSE(IsQueryShaped(head));
}

}  // namespace
}  // namespace sluice::awsproto
