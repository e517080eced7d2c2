#include "base/xml.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace sluice {

const XmlNode* XmlNode::Child(std::string_view child_name) const {
  for (const XmlNode& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::Children(std::string_view child_name) const {
  std::vector<const XmlNode*> out;
  for (const XmlNode& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

std::string XmlNode::ChildText(std::string_view child_name) const {
  const XmlNode* c = Child(child_name);
  return c ? c->text : std::string();
}

namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  Parser(std::string_view s, int max_depth) : s_(s), max_depth_(max_depth) {}

  std::optional<XmlNode> Document() {
    SkipMisc();
    if (!At('<')) return std::nullopt;
    XmlNode root;
    if (!Element(root, 0)) return std::nullopt;
    SkipMisc();
    if (i_ != s_.size()) return std::nullopt;
    return root;
  }

 private:
  bool At(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool StartsWith(std::string_view p) const { return s_.substr(i_).starts_with(p); }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool SkipUntil(std::string_view end) {
    const size_t p = s_.find(end, i_);
    if (p == std::string_view::npos) return false;
    i_ = p + end.size();
    return true;
  }
  // Whitespace, the XML declaration, processing instructions and comments.
  void SkipMisc() {
    while (true) {
      SkipSpace();
      if (StartsWith("<?")) {
        if (!SkipUntil("?>")) return;
      } else if (StartsWith("<!--")) {
        if (!SkipUntil("-->")) return;
      } else {
        return;
      }
    }
  }
  std::string Name() {
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != '>' && s_[i_] != '/' && s_[i_] != ' ' && s_[i_] != '\t' &&
           s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '=') {
      ++i_;
    }
    std::string_view n = s_.substr(start, i_ - start);
    if (const size_t colon = n.find(':'); colon != std::string_view::npos) n = n.substr(colon + 1);
    return std::string(n);
  }
  bool Text(std::string& out, char stop) {
    while (i_ < s_.size() && s_[i_] != stop) {
      if (s_[i_] != '&') {
        out += s_[i_++];
        continue;
      }
      const size_t semi = s_.find(';', i_);
      if (semi == std::string_view::npos || semi - i_ > 12) return false;
      const std::string_view ent = s_.substr(i_ + 1, semi - i_ - 1);
      if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "amp") out += '&';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else if (ent.starts_with("#x") || ent.starts_with("#X")) {
        char* end = nullptr;
        const std::string hex(ent.substr(2));
        const unsigned long cp = std::strtoul(hex.c_str(), &end, 16);
        if (hex.empty() || *end != '\0' || cp > 0x10FFFF) return false;
        AppendUtf8(out, static_cast<uint32_t>(cp));
      } else if (ent.starts_with("#")) {
        char* end = nullptr;
        const std::string dec(ent.substr(1));
        const unsigned long cp = std::strtoul(dec.c_str(), &end, 10);
        if (dec.empty() || *end != '\0' || cp > 0x10FFFF) return false;
        AppendUtf8(out, static_cast<uint32_t>(cp));
      } else {
        return false;
      }
      i_ = semi + 1;
    }
    return true;
  }
  bool Attributes() {
    while (true) {
      SkipSpace();
      if (At('>') || StartsWith("/>")) return true;
      if (Name().empty()) return false;
      SkipSpace();
      if (!At('=')) return false;
      ++i_;
      SkipSpace();
      if (!At('"') && !At('\'')) return false;
      const char q = s_[i_++];
      std::string ignored;
      if (!Text(ignored, q) || !At(q)) return false;
      ++i_;
    }
  }
  bool Element(XmlNode& node, int depth) {
    if (depth > max_depth_) return false;
    ++i_;  // '<'
    // A name starts with a letter, '_', ':' or a non-ASCII byte (XML's NameStartChar); "<!"
    // and "<?" open declarations and instructions, never elements: "<!--/>" is an
    // unterminated comment, not an element named "!--" (found by fuzz/xml).
    // The local name after a prefix too ("<a:<b>" names no element), and it holds no
    // second ':' ("a:b:c" is no qualified name; found by fuzz/xml).
    auto name_start = [](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return std::isalpha(c) || c == '_' || c == ':' || c >= 0x80;
    };
    if (i_ >= s_.size() || !name_start(s_[i_])) return false;
    node.name = Name();
    if (node.name.empty() || !name_start(node.name[0]) || node.name.find(':') != std::string::npos ||
        !Attributes()) {
      return false;
    }
    if (StartsWith("/>")) {
      i_ += 2;
      return true;
    }
    ++i_;  // '>'
    while (true) {
      if (!Text(node.text, '<')) return false;
      if (i_ >= s_.size()) return false;
      if (StartsWith("<!--")) {
        if (!SkipUntil("-->")) return false;
        continue;
      }
      if (StartsWith("<![CDATA[")) {
        const size_t end = s_.find("]]>", i_);
        if (end == std::string_view::npos) return false;
        node.text.append(s_.substr(i_ + 9, end - i_ - 9));
        i_ = end + 3;
        continue;
      }
      if (StartsWith("<!") || StartsWith("<?")) return false;
      if (StartsWith("</")) {
        i_ += 2;
        if (Name() != node.name) return false;
        SkipSpace();
        if (!At('>')) return false;
        ++i_;
        return true;
      }
      node.children.emplace_back();
      if (!Element(node.children.back(), depth + 1)) return false;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  int max_depth_;
};

}  // namespace

std::optional<XmlNode> ParseXml(std::string_view text, int max_depth) {
  return Parser(text, max_depth).Document();
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += "&#" + std::to_string(static_cast<int>(c)) + ";";
        } else {
          out += c;
        }
    }
  }
  return out;
}

void XmlElement(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  out += XmlEscape(text);
  out += "</";
  out += name;
  out += '>';
}

}  // namespace sluice
