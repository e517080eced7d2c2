// Internal to the Kinesis front end: the actions behind KinesisService.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "awsproto/codec.h"
#include "awsproto/json_rpc.h"
#include "awsproto/schema.h"
#include "frontends/kinesis/kinesis_service.h"
#include "internal/patterns.h"
#include "stream/stream_manager.h"

namespace sluice::frontends::kinesis {

using awsproto::ActionCall;
using awsproto::ActionDone;
using awsproto::ActionResult;
using awsproto::BodyEncoding;
using awsproto::BodyWriter;
using awsproto::FieldSpec;
using awsproto::FieldType;
using awsproto::FormatValidationErrors;
using awsproto::ValidationError;
using awsproto::Value;

class Actions {
 public:
  explicit Actions(stream::StreamManager& streams) : streams_(streams) {}

  struct Action {
    std::string_view name;
    std::span<const FieldSpec> fields;
    void (Actions::*run)(ActionCall& call, ActionDone done);
    // Commits to the catalog or opens/closes logs: runs off the I/O threads.
    bool control_plane = false;
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
  void EnableEnhancedMonitoring(ActionCall& c, ActionDone done);
  void DisableEnhancedMonitoring(ActionCall& c, ActionDone done);
  void ChangeMonitoring(ActionCall& c, ActionDone done, bool enable);

  void ChangeRetention(ActionCall& c, ActionDone done, bool increase);
  // The stream a request names by StreamName or StreamARN; false (and `done` called
  // with the error) when neither resolves.
  bool ResolveName(const Value& req, std::string& name, const ActionDone& done) const;

 private:
  stream::StreamManager& streams_;
};

}  // namespace sluice::frontends::kinesis
