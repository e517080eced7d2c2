#include "delivery/jq_extract.h"

extern "C" {
#include <jq.h>
#include <jv.h>
}

namespace sluice::delivery {
namespace {

// Takes ownership of `v` (a jq string or anything else) and returns its text.
std::string TakeText(jv v) {
  if (jv_get_kind(v) == JV_KIND_STRING) {
    std::string s(jv_string_value(v), static_cast<size_t>(jv_string_length_bytes(jv_copy(v))));
    jv_free(v);
    return s;
  }
  jv dumped = jv_dump_string(v, 0);  // consumes v
  std::string s = jv_string_value(dumped);
  jv_free(dumped);
  return s;
}

// Takes ownership of an invalid jv and returns its message ("" when it has none).
std::string TakeInvalidMessage(jv v) {
  jv msg = jv_invalid_get_msg(v);  // consumes v
  if (jv_get_kind(msg) == JV_KIND_NULL) {
    jv_free(msg);
    return "";
  }
  return TakeText(msg);
}

void CollectError(void* data, jv msg) {
  auto* errors = static_cast<std::string*>(data);
  if (!errors->empty()) *errors += "; ";
  *errors += TakeText(msg);
}

}  // namespace

// One compiled query with the jq_state that owns it.
struct JqExtractor::Program {
  jq_state* jq = nullptr;
  std::string errors;  // filled by CollectError while compiling
  ~Program() {
    if (jq != nullptr) jq_teardown(&jq);
  }
};

JqExtractor::JqExtractor() = default;
JqExtractor::~JqExtractor() = default;

size_t JqExtractor::cached_queries() const { return programs_.size(); }

Status JqExtractor::Compile(std::string_view query) {
  if (programs_.find(query) != programs_.end()) return Status::OK();
  auto program = std::make_unique<Program>();
  program->jq = jq_init();
  if (program->jq == nullptr) return Status::Internal("jq_init failed");
  jq_set_error_cb(program->jq, CollectError, &program->errors);
  std::string text(query);  // jq_compile wants a NUL-terminated string
  if (!jq_compile(program->jq, text.c_str())) {
    std::string message = program->errors.empty() ? "does not compile" : program->errors;
    return Status::InvalidArgument("invalid JQ query: " + message);
  }
  program->errors.clear();
  programs_.emplace(std::move(text), std::move(program));
  return Status::OK();
}

Result<PartitionKeys> JqExtractor::Extract(std::string_view query, std::string_view record_json) {
  RETURN_IF_ERROR(Compile(query));
  jq_state* jq = programs_.find(query)->second->jq;

  jv input = jv_parse_sized(record_json.data(), static_cast<int>(record_json.size()));
  if (!jv_is_valid(input)) {
    std::string why = TakeInvalidMessage(input);
    return Status::InvalidArgument("record is not valid JSON: " + why);
  }
  jq_start(jq, input, 0);  // consumes input
  jv out = jq_next(jq);
  if (!jv_is_valid(out)) {
    std::string why = TakeInvalidMessage(out);
    if (why.empty()) return Status::InvalidArgument("JQ query produced no output");
    return Status::InvalidArgument("JQ query failed: " + why);
  }
  if (jv_get_kind(out) != JV_KIND_OBJECT) {
    jv_free(out);
    return Status::InvalidArgument("JQ query output is not an object");
  }
  PartitionKeys keys;
  Status status;
  jv_object_foreach(out, key, value) {
    std::string name = TakeText(key);
    jv_kind kind = jv_get_kind(value);
    if (!status.ok()) {
      jv_free(value);
      continue;
    }
    if (kind == JV_KIND_STRING || kind == JV_KIND_NUMBER || kind == JV_KIND_TRUE ||
        kind == JV_KIND_FALSE) {
      keys[name] = TakeText(value);
    } else {
      jv_free(value);
      status = Status::InvalidArgument("partition key '" + name + "' is " +
                                       (kind == JV_KIND_NULL ? "null" : "not a scalar"));
    }
  }
  jv_free(out);
  RETURN_IF_ERROR(status);
  if (keys.empty()) return Status::InvalidArgument("JQ query output has no keys");
  return keys;
}

}  // namespace sluice::delivery
