// Internal to the api module: the Kinesis actions behind KinesisHandler.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "api/aws_schema.h"
#include "api/body_codec.h"
#include "api/kinesis_handler.h"
#include "stream/stream_manager.h"

namespace sluice::api {

// What an action produces: a success body (possibly empty) or an AWS error.
struct ActionResult {
  int status = 200;
  std::string error_type;  // empty on success
  std::string message;
  std::string body;  // success body, already encoded

  static ActionResult Ok(std::string body) { return {200, "", "", std::move(body)}; }
  static ActionResult Error(std::string_view type, std::string message, int status = 400) {
    return {status, std::string(type), std::move(message), ""};
  }
};

using ActionDone = std::function<void(ActionResult)>;

// One parsed, type-checked, validated request.
struct ActionCall {
  std::unique_ptr<ParsedBody> body;  // owns what `req` points into
  Value* req = nullptr;
  std::deque<std::string> arena;     // decoded blobs
  BodyEncoding enc = BodyEncoding::kJson;
};

class KinesisHandler::Actions {
 public:
  explicit Actions(stream::StreamManager& streams) : streams_(streams) {}

  struct Action {
    std::string_view name;
    std::span<const FieldSpec> fields;
    void (Actions::*run)(ActionCall& call, ActionDone done);
  };
  // nullptr for an unknown action name.
  static const Action* Find(std::string_view name);

  // The actions, referenced from the table in kinesis_actions.cc.
  void CreateStream(ActionCall& c, ActionDone done);
  void DeleteStream(ActionCall& c, ActionDone done);
  void DescribeStream(ActionCall& c, ActionDone done);
  void DescribeStreamSummary(ActionCall& c, ActionDone done);
  void ListStreams(ActionCall& c, ActionDone done);
  void ListShards(ActionCall& c, ActionDone done);
  void PutRecord(ActionCall& c, ActionDone done);
  void PutRecords(ActionCall& c, ActionDone done);
  void GetShardIterator(ActionCall& c, ActionDone done);
  void GetRecords(ActionCall& c, ActionDone done);
  void IncreaseStreamRetentionPeriod(ActionCall& c, ActionDone done);
  void DecreaseStreamRetentionPeriod(ActionCall& c, ActionDone done);
  void AddTagsToStream(ActionCall& c, ActionDone done);
  void RemoveTagsFromStream(ActionCall& c, ActionDone done);
  void ListTagsForStream(ActionCall& c, ActionDone done);
  void DescribeLimits(ActionCall& c, ActionDone done);
  void SplitShard(ActionCall& c, ActionDone done);
  void MergeShards(ActionCall& c, ActionDone done);
  void UpdateShardCount(ActionCall& c, ActionDone done);

  void ChangeRetention(ActionCall& c, ActionDone done, bool increase);
  // The stream a request names by StreamName or StreamARN; false (and `done` called
  // with the error) when neither resolves.
  bool ResolveName(const Value& req, std::string& name, const ActionDone& done) const;

 private:
  stream::StreamManager& streams_;
};

}  // namespace sluice::api
