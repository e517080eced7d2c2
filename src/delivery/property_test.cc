// Randomized checks (fixed seeds) of the parsers that take user input: prefix templates,
// JSON de-aggregation, delimited splitting and the JQ key scanner. Each asserts an
// invariant over many generated inputs, not only the absence of crashes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "delivery/deaggregate.h"
#include "delivery/jq_extract.h"
#include "delivery/prefix.h"

namespace sluice::delivery {
namespace {

std::string RandomText(std::mt19937& gen, const std::vector<std::string>& atoms, size_t max) {
  std::string s;
  const size_t n = gen() % (max + 1);
  for (size_t i = 0; i < n; ++i) s += atoms[gen() % atoms.size()];
  return s;
}

// The text a parsed template stands for: literals and expressions written back.
std::string Unparse(const PrefixTemplate& t) {
  using K = PrefixTemplate::PartKind;
  std::string s;
  for (const auto& p : t.parts()) {
    switch (p.kind) {
      case K::kLiteral:
        s += p.text;
        break;
      case K::kTimestamp:
        s += "!{timestamp:" + p.text + "}";
        break;
      case K::kRandomString:
        s += "!{firehose:random-string}";
        break;
      case K::kErrorOutputType:
        s += "!{firehose:error-output-type}";
        break;
      case K::kQueryKey:
        s += "!{partitionKeyFromQuery:" + p.text + "}";
        break;
      case K::kLambdaKey:
        s += "!{partitionKeyFromLambda:" + p.text + "}";
        break;
    }
  }
  return s;
}

TEST(PrefixTemplateProperty, WhatParsesWritesBackToTheSameText) {
  std::mt19937 gen(7);
  const std::vector<std::string> atoms = {"!{",
                                          "}",
                                          ":",
                                          "!",
                                          "{",
                                          "/",
                                          "a",
                                          "=",
                                          "'",
                                          "timestamp",
                                          "firehose",
                                          "random-string",
                                          "error-output-type",
                                          "partitionKeyFromQuery",
                                          "partitionKeyFromLambda",
                                          "yyyy",
                                          "MM",
                                          "HH",
                                          "q",
                                          "E",
                                          "[",
                                          "dd",
                                          "-"};
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = RandomText(gen, atoms, 12);
    auto t = PrefixTemplate::Parse(text);
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << text;
      continue;
    }
    ++parsed;
    EXPECT_EQ(Unparse(*t), text);
    EXPECT_EQ(t->HasExpressions(), text.find("!{") != std::string::npos) << text;
    // Whatever parses evaluates (keys supplied for every name it uses).
    PartitionKeys keys;
    for (const auto& p : t->parts()) keys[p.text] = "v";
    PrefixContext c;
    c.arrival_ms = 1535365805123;
    c.error_output_type = "processing-failed";
    c.query_keys = &keys;
    c.lambda_keys = &keys;
    c.random_string = [] { return std::string("0123456789a"); };
    EXPECT_TRUE(t->Evaluate(c).ok()) << text;
  }
  EXPECT_GT(parsed, 2000);  // the generator reaches both outcomes
}

TEST(SplitJsonObjectsProperty, ObjectsAreInOrderAndOnlyWhitespaceIsLeftOut) {
  std::mt19937 gen(11);
  const std::vector<std::string> atoms = {
      "{", "}", "[", "]", "\"", "\\", ":", ",", "1", "a", " ", "\n", "{\"k\":\"v\"}", "{}"};
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string data = RandomText(gen, atoms, 10);
    auto r = SplitJsonObjects(data);
    if (!r.ok()) continue;
    ++accepted;
    size_t pos = 0;
    for (std::string_view obj : *r) {
      const size_t at = static_cast<size_t>(obj.data() - data.data());
      ASSERT_GE(at, pos) << data;
      ASSERT_LE(at + obj.size(), data.size()) << data;
      for (size_t k = pos; k < at; ++k)
        EXPECT_NE(std::string(" \t\r\n").find(data[k]), std::string::npos) << data;
      EXPECT_EQ(obj.front(), '{') << data;
      EXPECT_EQ(obj.back(), '}') << data;
      pos = at + obj.size();
    }
    for (size_t k = pos; k < data.size(); ++k)
      EXPECT_NE(std::string(" \t\r\n").find(data[k]), std::string::npos) << data;
  }
  EXPECT_GT(accepted, 1000);
}

TEST(SplitDelimitedProperty, PiecesJoinBackToTheRecord) {
  std::mt19937 gen(13);
  const std::vector<std::string> atoms = {"a", "#", "##", "b", "\n"};
  for (int i = 0; i < 20000; ++i) {
    const std::string data = RandomText(gen, atoms, 10);
    const std::string delimiter = gen() % 2 ? "##" : "#";
    auto r = SplitDelimited(data, delimiter);
    ASSERT_TRUE(r.ok());
    std::string joined;
    for (size_t k = 0; k < r->size(); ++k) {
      if (k > 0) joined += delimiter;
      joined += (*r)[k];
      EXPECT_EQ((*r)[k].find(delimiter), std::string_view::npos) << data;
    }
    // Only a delimiter that ends the record is not represented by a piece.
    EXPECT_TRUE(joined == data || joined + delimiter == data) << data;
  }
}

TEST(TopLevelObjectKeysProperty, KeysAgreeWithJq) {
  // When the scanner names keys, jq's own output object has exactly those keys.
  std::mt19937 gen(17);
  const std::vector<std::string> keys = {"a", "b", "\"c\"", "\"d e\"", "x", "(.x)", "$k"};
  const std::vector<std::string> values = {
      ".x",       "1",   "\"s\"", "(.x|length)", "([1,2]|length)", "({a:1}|.a)", "(.y // \"d\")",
      "(.x, .x)", "true"};
  JqExtractor jq;
  int checked = 0;
  for (int i = 0; i < 150; ++i) {  // each distinct query costs a jq compile (~10 ms)
    std::string query = "{";
    const size_t n = 1 + gen() % 4;
    for (size_t e = 0; e < n; ++e) {
      if (e > 0) query += gen() % 2 ? "," : " , ";
      const std::string& key = keys[gen() % keys.size()];
      query += key;
      if (key[0] != '$' && (key == "x" ? gen() % 2 : 1))
        query += ":" + values[gen() % values.size()];
    }
    query += "}";
    query = "\"v\" as $k | " + query;  // binds $k; the scanner reads the constructor alone
    const std::string plain = query.substr(query.find('{'));
    auto scanned = TopLevelObjectKeys(plain);
    if (!scanned) continue;
    auto out = jq.Extract(query, R"({"x":"v"})");
    ASSERT_TRUE(out.ok()) << query << ": " << out.status().ToString();
    ++checked;
    std::vector<std::string> got;
    for (const auto& [k, v] : *out) got.push_back(k);
    std::vector<std::string> want = *scanned;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    EXPECT_EQ(got, want) << plain;
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace sluice::delivery
