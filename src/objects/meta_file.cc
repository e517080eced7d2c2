#include "objects/meta_file.h"

#include <nlohmann/json.hpp>

namespace sluice::objects {
namespace {

using nlohmann::json;

json MetaToJson(const ObjectMeta& m) {
  json j = json::object();
  if (!m.content_type.empty()) j["content_type"] = m.content_type;
  if (!m.content_encoding.empty()) j["content_encoding"] = m.content_encoding;
  if (!m.content_disposition.empty()) j["content_disposition"] = m.content_disposition;
  if (!m.cache_control.empty()) j["cache_control"] = m.cache_control;
  json user = json::array();
  for (const auto& [k, v] : m.user) user.push_back(json::array({k, v}));
  j["user"] = std::move(user);
  return j;
}

ObjectMeta MetaFromJson(const json& j) {
  ObjectMeta m;
  m.content_type = j.value("content_type", "");
  m.content_encoding = j.value("content_encoding", "");
  m.content_disposition = j.value("content_disposition", "");
  m.cache_control = j.value("cache_control", "");
  if (j.contains("user") && j["user"].is_array()) {
    for (const auto& kv : j["user"]) {
      if (kv.is_array() && kv.size() == 2) m.user.emplace_back(kv[0].get<std::string>(), kv[1].get<std::string>());
    }
  }
  return m;
}

json ChecksumToJson(const ObjectChecksum& c) {
  json j = {{"algorithm", c.algorithm}, {"value", c.value}};
  if (!c.type.empty()) j["type"] = c.type;
  return j;
}

ObjectChecksum ChecksumFromJson(const json& parent) {
  ObjectChecksum c;
  if (!parent.contains("checksum") || !parent["checksum"].is_object()) return c;
  const json& j = parent["checksum"];
  c.algorithm = j.value("algorithm", "");
  c.value = j.value("value", "");
  c.type = j.value("type", "");
  return c;
}

}  // namespace

std::string EncodeStoredMeta(const StoredMeta& m) {
  json j = {{"v", kMetaFormatVersion}, {"key", m.key},   {"etag", m.etag},
            {"size", m.size},          {"inode", m.inode}, {"meta", MetaToJson(m.meta)}};
  if (!m.checksum.algorithm.empty()) j["checksum"] = ChecksumToJson(m.checksum);
  // Keys are UTF-8 by validation, so dump cannot throw on them.
  return j.dump() + "\n";
}

std::optional<StoredMeta> DecodeStoredMeta(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("v", 0) != kMetaFormatVersion) return std::nullopt;
  try {
    StoredMeta m;
    m.key = j.at("key").get<std::string>();
    m.etag = j.at("etag").get<std::string>();
    m.size = j.at("size").get<uint64_t>();
    m.inode = j.at("inode").get<uint64_t>();
    m.meta = MetaFromJson(j.at("meta"));
    m.checksum = ChecksumFromJson(j);
    return m;
  } catch (const json::exception&) {
    return std::nullopt;  // a damaged file is treated as missing metadata
  }
}

std::string EncodeStoredUpload(const StoredUpload& u) {
  json j = {{"v", kMetaFormatVersion}, {"key", u.key}, {"initiated_ms", u.initiated_ms},
            {"meta", MetaToJson(u.meta)}};
  if (!u.checksum.algorithm.empty()) j["checksum"] = ChecksumToJson(u.checksum);
  return j.dump() + "\n";
}

std::optional<StoredUpload> DecodeStoredUpload(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    StoredUpload u;
    u.key = j.at("key").get<std::string>();
    u.initiated_ms = j.at("initiated_ms").get<int64_t>();
    u.meta = MetaFromJson(j.at("meta"));
    u.checksum = ChecksumFromJson(j);
    return u;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace sluice::objects
