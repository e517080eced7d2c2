#include "cli/lambda_transformer.h"

#include <gtest/gtest.h>

#include "functions/testing/fake_invoker.h"

namespace sluice::cli {
namespace {

using functions::FunctionError;
using functions::InvokeOutcome;

TEST(LambdaTransformerTest, AnswersWhatFirehoseWritesForEachWayAnInvocationEnds) {
  LambdaTransformer t;
  // Not bound yet (functions open after delivery): not an attempt.
  EXPECT_TRUE(t.Invoke("f", "{}").unavailable);
  functions::testing::FakeInvoker invoker;
  invoker.Define("ok", [](const std::string& payload) { return InvokeOutcome{.payload = "got " + payload}; });
  invoker.Define("raises", [](const std::string&) {
    return InvokeOutcome{.function_error = FunctionError::kUnhandled, .payload = R"({"errorMessage":"x"})"};
  });
  t.Bind(&invoker);
  auto r = t.Invoke(invoker.ArnOf("ok"), "{\"records\":[]}");
  EXPECT_EQ(r.error_code, "");
  EXPECT_FALSE(r.unavailable);
  EXPECT_EQ(r.payload, "got {\"records\":[]}");
  r = t.Invoke(invoker.ArnOf("raises"), "{}");
  EXPECT_EQ(r.error_code, "Lambda.FunctionError");
  EXPECT_EQ(r.error_message, "The Lambda function was successfully invoked but it returned an error result.");
  r = t.Invoke(invoker.ArnOf("missing"), "{}");
  EXPECT_EQ(r.error_code, "Lambda.ResourceNotFound");
  EXPECT_EQ(r.error_message, "The specified Lambda function does not exist. Use a different function that does exist.");
  t.Bind(nullptr);
  EXPECT_TRUE(t.Invoke(invoker.ArnOf("ok"), "{}").unavailable);
}

}  // namespace
}  // namespace sluice::cli
