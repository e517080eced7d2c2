// A small XML reader and writer for the XML protocols (S3's REST-XML, the Query
// protocol's answers): elements, text and the five
// predefined entities plus character references. Attributes, comments, processing
// instructions and CDATA-free documents are what S3 exchanges; namespaces prefixes are
// dropped from names. Not a general XML parser: DTDs are rejected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

struct XmlNode {
  std::string name;
  std::string text;  // concatenated character data directly inside this element
  std::vector<XmlNode> children;

  const XmlNode* Child(std::string_view child_name) const;
  std::vector<const XmlNode*> Children(std::string_view child_name) const;
  // Text of the first child with that name, or empty.
  std::string ChildText(std::string_view child_name) const;
};

// The document's root element; nullopt for malformed input or more than `max_depth`
// nesting levels.
std::optional<XmlNode> ParseXml(std::string_view text, int max_depth = 32);

// Escapes &, <, >, " and ' and writes characters that XML 1.0 cannot carry (control
// characters other than tab, LF, CR) as character references S3 also uses.
std::string XmlEscape(std::string_view text);

// Appends "<name>escaped text</name>".
void XmlElement(std::string& out, std::string_view name, std::string_view text);

}  // namespace sluice
