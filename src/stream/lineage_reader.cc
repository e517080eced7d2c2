#include "stream/lineage_reader.h"

namespace sluice::stream {

namespace {
constexpr size_t kMaxBytesPerRead = 10u << 20;
}  // namespace

LineageReader::LineageReader(const StreamManager& streams, std::string stream_name, Start start)
    : streams_(streams), stream_(std::move(stream_name)), start_(start) {}

KResult<std::string> LineageReader::IteratorFor(const std::string& shard_id, const Cursor& cursor,
                                                bool fresh) {
  IteratorRequest req{.stream_name = stream_, .shard_id = shard_id};
  if (!cursor.last_sequence.empty()) {
    req.type = IteratorType::kAfterSequenceNumber;
    req.sequence_number = cursor.last_sequence;
  } else {
    req.type = fresh && start_ == Start::kLatest ? IteratorType::kLatest : IteratorType::kTrimHorizon;
  }
  return streams_.GetShardIterator(req);
}

KResult<Done> LineageReader::Refresh() {
  auto info = streams_.DescribeStream(stream_);
  if (!info.ok()) return info.error();
  std::set<std::string> stored;
  for (const auto& s : info->shards) stored.insert(s.shard_id);
  auto done_or_gone = [&](const std::optional<std::string>& parent) {
    return !parent || finished_.count(*parent) > 0 || stored.count(*parent) == 0;
  };
  for (const auto& s : info->shards) {
    if (active_.count(s.shard_id) || finished_.count(s.shard_id)) continue;
    if (!done_or_gone(s.parent_shard_id) || !done_or_gone(s.adjacent_parent_shard_id)) continue;
    // With LATEST, only the shards open at the start begin at the tip; shards that
    // appear later are read from their beginning.
    const bool at_tip = first_refresh_ && !s.ending_sequence_number;
    if (first_refresh_ && start_ == Start::kLatest && s.ending_sequence_number) {
      finished_.insert(s.shard_id);  // history before the start is not wanted
      continue;
    }
    Cursor cursor;
    auto it = IteratorFor(s.shard_id, cursor, at_tip);
    if (!it.ok()) return it.error();
    cursor.iterator = std::move(*it);
    active_.emplace(s.shard_id, std::move(cursor));
  }
  first_refresh_ = false;
  return Done{};
}

KResult<std::vector<LineageReader::Record>> LineageReader::Poll(size_t max_records) {
  std::vector<Record> out;
  // Finishing a parent can make children readable: refresh until nothing new starts.
  for (int round = 0; round < 8 && out.size() < max_records; ++round) {
    auto refreshed = Refresh();
    if (!refreshed.ok()) return refreshed.error();
    bool any_finished = false;
    for (auto it = active_.begin(); it != active_.end() && out.size() < max_records;) {
      Cursor& cursor = it->second;
      const int limit = static_cast<int>(std::min<size_t>(10000, max_records - out.size()));
      auto r = streams_.GetRecords(cursor.iterator, limit, kMaxBytesPerRead);
      if (!r.ok() && r.error().code == ErrorType::kExpiredIterator) {
        auto again = IteratorFor(it->first, cursor, false);
        if (!again.ok()) return again.error();
        cursor.iterator = std::move(*again);
        r = streams_.GetRecords(cursor.iterator, limit, kMaxBytesPerRead);
      }
      if (!r.ok()) return r.error();
      for (const auto& rec : r->records) {
        out.push_back({it->first, rec.sequence_number.str(), rec.arrival_ms, std::string(rec.partition_key),
                       std::string(rec.data)});
      }
      if (!r->records.empty()) cursor.last_sequence = r->records.back().sequence_number.str();
      if (!r->next_iterator) {
        finished_.insert(it->first);
        it = active_.erase(it);
        any_finished = true;
        continue;
      }
      cursor.iterator = *r->next_iterator;
      ++it;
    }
    if (!any_finished) break;
  }
  return out;
}

}  // namespace sluice::stream
