#include "base/xml.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Xml, ParsesCompleteMultipartUploadWithEntities) {
  const auto doc = ParseXml(R"(<?xml version="1.0"?><CompleteMultipartUpload xmlns="x">
      <Part><PartNumber>1</PartNumber><ETag>&quot;abc&quot;</ETag></Part>
      <Part><PartNumber>2</PartNumber><ETag>&#34;def&#x22;</ETag></Part></CompleteMultipartUpload>)");
  ASSERT_TRUE(doc);
  const auto parts = doc->Children("Part");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]->ChildText("ETag"), "\"abc\"");
  EXPECT_EQ(parts[1]->ChildText("ETag"), "\"def\"");
}

TEST(Xml, RejectsMalformedAndDtd) {
  EXPECT_FALSE(ParseXml("<a><b></a>"));
  EXPECT_FALSE(ParseXml("<a>"));
  EXPECT_FALSE(ParseXml("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"));
  EXPECT_FALSE(ParseXml("<a>&unknown;</a>"));
  // Found by fuzz/xml: an unterminated comment or instruction read as an element named
  // "!--" or "?", which written back was a comment.
  EXPECT_FALSE(ParseXml("<!--/>"));
  EXPECT_FALSE(ParseXml("<?/>"));
  EXPECT_FALSE(ParseXml("<a><-b/></a>"));
  EXPECT_FALSE(ParseXml("<K<a:<?s/>"));  // the local name after the prefix is "<?s"
  EXPECT_FALSE(ParseXml("<a:b:c/>"));    // read as "b:c", written back it read as "c"
  EXPECT_TRUE(ParseXml("<_a><s3:b/><\xc3\xa9/></_a>"));
}

TEST(Xml, EscapeRoundTrips) {
  const std::string text = "a<b>&\"c'\x01";
  const auto doc = ParseXml("<k>" + XmlEscape(text) + "</k>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->text, text);
}

}  // namespace
}  // namespace sluice
