// The REST-XML reader and writer (src/objects/xml.h). Invariants: a document the
// reader accepts, written back out (XmlElement/XmlEscape), reads as the same tree;
// any text escaped with XmlEscape reads back as itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "base/xml.h"

using sluice::ParseXml;
using sluice::XmlElement;
using sluice::XmlEscape;
using sluice::XmlNode;

namespace {

void Write(const XmlNode& node, std::string& out) {
  out += '<' + node.name + '>' + XmlEscape(node.text);
  for (const XmlNode& child : node.children) Write(child, out);
  out += "</" + node.name + '>';
}

bool Same(const XmlNode& a, const XmlNode& b) {
  if (a.name != b.name || a.text != b.text || a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Same(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto doc = ParseXml(text)) {
    FUZZ_CHECK(!doc->name.empty());
    std::string written;
    Write(*doc, written);
    const auto again = ParseXml(written);
    FUZZ_CHECK(again && Same(*doc, *again));
  }
  std::string element;
  XmlElement(element, "Key", text);
  const auto key = ParseXml(element);
  FUZZ_CHECK(key && key->name == "Key" && key->text == text && key->children.empty());
  return 0;
}
