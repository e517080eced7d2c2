#include <gtest/gtest.h>

#include "prometheus.h"

namespace sluice::metrics::internal {
namespace {

TEST(Prometheus, NamesAreSnakeCase) {
  EXPECT_EQ(SnakeCase("AWS/Kinesis"), "aws_kinesis");
  EXPECT_EQ(SnakeCase("IncomingBytes"), "incoming_bytes");
  EXPECT_EQ(SnakeCase("PutRecords.Bytes"), "put_records_bytes");
  EXPECT_EQ(SnakeCase("GetRecords.IteratorAgeMilliseconds"), "get_records_iterator_age_milliseconds");
  EXPECT_EQ(SnakeCase("4xxErrors"), "4xx_errors");
  EXPECT_EQ(SnakeCase("AWS/S3"), "aws_s3");
  EXPECT_EQ(SnakeCase("ShardId"), "shard_id");
  EXPECT_EQ(SnakeCase("DeliveryToS3.Bytes"), "delivery_to_s3_bytes");
}

TEST(Prometheus, CountersAndSummariesRenderInTextFormat) {
  MetricId bytes = MakeId("AWS/Kinesis", "IncomingBytes", {{"StreamName", "in\"x"}});
  MetricId odd = MakeId("App", "Odd\n", {{"Key", "a\nb\\c"}});
  MetricId latency = MakeId("AWS/Kinesis", "PutRecords.Latency", {{"StreamName", "s"}});
  Aggregate counter;
  counter.has_histogram = false;
  counter.MergeStats({2, 300, 100, 200});
  Aggregate dist;
  dist.AddValue(5, 1);
  dist.AddValue(7, 1);
  std::string text = RenderPrometheus({{&bytes, Unit::kBytes, true, &counter},
                                       {&latency, Unit::kMilliseconds, false, &dist},
                                       {&odd, Unit::kNone, true, &counter}});
  // Neither a metric name nor a label value can break out of its line.
  EXPECT_NE(text.find("# HELP sluice_app_odd App Odd\\n (None)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("sluice_app_odd{key=\"a\\nb\\\\c\"} 300\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE sluice_aws_kinesis_incoming_bytes counter\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_aws_kinesis_incoming_bytes{stream_name=\"in\\\"x\"} 300\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE sluice_aws_kinesis_put_records_latency summary\n"), std::string::npos);
  EXPECT_NE(text.find("sluice_aws_kinesis_put_records_latency{stream_name=\"s\",quantile=\"0.99\"} 7\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("sluice_aws_kinesis_put_records_latency_sum{stream_name=\"s\"} 12\n"),
            std::string::npos);
  EXPECT_NE(text.find("sluice_aws_kinesis_put_records_latency_count{stream_name=\"s\"} 2\n"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::metrics::internal
