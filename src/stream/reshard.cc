// Resharding: SplitShard, MergeShards and UpdateShardCount. Every change is planned as
// a list of closes and new shards; the children's logs are opened first, then, under
// the stream's exclusive lock only, the parents' logs are closed (fixing their ends),
// everything is committed to the catalog in one transaction and applied in memory.
// Control-plane calls are serialized by the manager's control_mu throughout.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "stream/sequence_number.h"
#include "stream/stream_manager.h"
#include "stream_state.h"

namespace sluice::stream {
namespace {

// A reshard in the making, on a private view of the open shards.
struct Plan {
  struct Piece {
    uint32_t index;
    HashRange range;
  };
  std::vector<Piece> open;  // by range start
  uint32_t next_index = 0;
  std::vector<uint32_t> closes;                 // shards to close (existing or new)
  std::vector<std::shared_ptr<Shard>> created;  // new shards (some closed again at once)

  size_t Find(uint32_t index) const {
    for (size_t i = 0; i < open.size(); ++i) {
      if (open[i].index == index) return i;
    }
    return open.size();
  }
  std::shared_ptr<Shard> New(HashRange r, std::optional<uint32_t> parent,
                             std::optional<uint32_t> adjacent, int64_t now) {
    auto s = std::make_shared<Shard>();
    s->index = next_index++;
    s->range = r;
    s->parent = parent;
    s->adjacent_parent = adjacent;
    s->created_ms = now;
    created.push_back(s);
    return s;
  }
  void Split(size_t pos, uint128 at, int64_t now) {
    const Piece p = open[pos];
    closes.push_back(p.index);
    const auto left = New({p.range.start, at - 1}, p.index, std::nullopt, now);
    const auto right = New({at, p.range.end}, p.index, std::nullopt, now);
    open[pos] = {left->index, left->range};
    open.insert(open.begin() + static_cast<long>(pos) + 1, Piece{right->index, right->range});
  }
  // Merges open[pos] with open[pos + 1].
  void Merge(size_t pos, uint32_t parent, uint32_t adjacent, int64_t now) {
    const Piece a = open[pos], b = open[pos + 1];
    closes.push_back(a.index);
    closes.push_back(b.index);
    const auto m = New({a.range.start, b.range.end}, parent, adjacent, now);
    open[pos] = {m->index, m->range};
    open.erase(open.begin() + static_cast<long>(pos) + 1);
  }
};

Plan MakePlan(const Stream& s) REQUIRES_SHARED(s.mu) {
  Plan plan;
  plan.next_index = static_cast<uint32_t>(s.shards.size());
  s.ForEachShard([&plan](const Shard& sh) {
    if (sh.open()) plan.open.push_back({sh.index, sh.range});
  });
  std::sort(plan.open.begin(), plan.open.end(),
            [](const auto& a, const auto& b) { return a.range.start < b.range.start; });
  return plan;
}

}  // namespace

namespace {

// Closes the children's logs of a plan that was not applied and removes their files.
void DiscardChildren(const Stream& s, const Plan& plan) {
  for (const auto& c : plan.created) {
    if (c->log) (void)c->log->Close();
    std::error_code ec;
    std::filesystem::remove_all(fmt::format("{}/{}", s.dir, c->index), ec);
  }
}

// The catalog rows of the plan's new shards; intermediate ones (created and closed by
// the same plan) are closed in their row.
std::vector<catalog::ShardRow> NewShardRows(const Plan& plan, int64_t now) {
  std::vector<catalog::ShardRow> rows;
  for (const auto& c : plan.created) {
    catalog::ShardRow row{.shard_index = c->index,
                          .start_hash = ToDecimal(c->range.start),
                          .end_hash = ToDecimal(c->range.end),
                          .created_ms = c->created_ms};
    if (c->parent) row.parent_index = *c->parent;
    if (c->adjacent_parent) row.adjacent_parent_index = *c->adjacent_parent;
    if (std::find(plan.closes.begin(), plan.closes.end(), c->index) != plan.closes.end()) {
      row.end_offset = 0;
      row.closed_ms = now;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

// AWS's window for the UpdateShardCount rate rule: a rolling 24 hours.
constexpr int64_t kShardCountWindowMs = 24 * 3'600'000;

// Commits `plan` for stream `s`: opens the children's logs, then, holding the stream's
// lock exclusively, seals the parents' logs, records everything (with the
// UpdateShardCount call, if `update`) in one catalog transaction and swaps the shards
// in. Only this stream's data plane waits meanwhile.
static KResult<Done> Apply(StreamManager::Impl& impl, Stream& s, Plan& plan,
                           const std::optional<catalog::ShardCountUpdate>& update = std::nullopt)
    REQUIRES(impl.control_mu) EXCLUDES(s.mu) {
  const int64_t now = impl.Now();
  // Nothing can see the children yet, so their logs open without any stream lock.
  for (auto& c : plan.created) {
    auto log = impl.OpenShardLog(s, c->index);
    if (!log.ok()) {
      DiscardChildren(s, plan);
      return InternalError(log.status());
    }
    c->log = std::move(*log);
  }
  const std::vector<catalog::ShardRow> rows = NewShardRows(plan, now);

  WriterLock w(s.mu);
  std::vector<catalog::ShardClose> closes;
  std::vector<std::shared_ptr<Shard>> sealed;
  // On failure nothing changed on disk: the sealed parents get working logs again.
  const auto undo = [&](const Status& st) -> KResult<Done> {
    for (auto& shard : sealed) {
      auto reopened = impl.OpenShardLog(s, shard->index);
      if (reopened.ok()) shard->log = std::move(*reopened);
    }
    DiscardChildren(s, plan);
    return InternalError(st);
  };
  for (const uint32_t index : plan.closes) {
    if (index >= s.shards.size()) continue;  // an intermediate shard: closed in its row
    const std::shared_ptr<Shard>& shard = s.shards[index];
    // Closing the log completes every append already given an offset; no new one can
    // start while we hold the lock, so its end is final.
    if (const Status st = shard->log->Close(); !st.ok()) return undo(st);
    closes.push_back({index, static_cast<int64_t>(shard->log->EndOffset().value()), now});
    sealed.push_back(shard);
  }
  if (const Status st = catalog::ApplyReshard(impl.catalog, s.id, closes, rows, update); !st.ok()) return undo(st);
  if (update) {
    std::erase_if(s.shard_count_updates, [&](int64_t t) { return t < update->forget_before_ms; });
    s.shard_count_updates.push_back(update->at_ms);
  }
  for (auto& shard : sealed) {
    shard->end_offset = shard->log->EndOffset();
    shard->closed_ms = now;
  }
  for (auto& c : plan.created) {
    if (std::find(plan.closes.begin(), plan.closes.end(), c->index) != plan.closes.end()) {
      c->end_offset = log::Offset(0);
      c->closed_ms = now;
      (void)c->log->Close();  // empty: nothing to sync
    }
    if (s.shards.size() <= c->index) s.shards.resize(c->index + 1);
    s.shards[c->index] = c;
  }
  s.updating_until_ms = now + impl.options.update_delay_ms;
  return Done{};
}

namespace {

Error ShardNotFound(const StreamManager::Impl& impl, const Stream& s, const std::string& id) {
  return MakeError(ErrorType::kResourceNotFound,
                   fmt::format("Could not find shard {} in stream {} under account {}.", id,
                               s.name, impl.options.account_id));
}

Error NotEligible(const StreamManager::Impl& impl, const Stream& s, const std::string& id) {
  return MakeError(ErrorType::kInvalidArgument,
                   fmt::format("Shard {} in stream {} under account {} has already been merged "
                               "or split, and thus is not eligible for merging or splitting.",
                               id, s.name, impl.options.account_id));
}

// UpdateShardCount calls that resharded `s` within the rolling window ending at `now`.
int64_t RecentShardCountUpdates(const Stream& s, int64_t now) REQUIRES_SHARED(s.mu) {
  return std::count_if(s.shard_count_updates.begin(), s.shard_count_updates.end(),
                       [now](int64_t t) { return t > now - kShardCountWindowMs; });
}

// The open shard `id` names, or an error.
KResult<std::shared_ptr<Shard>> OpenShard(const StreamManager::Impl& impl, const Stream& s,
                                          const std::string& id) REQUIRES_SHARED(s.mu) {
  const auto index = ParseShardId(id);
  if (!index || *index >= s.shards.size() || !s.shards[*index]) return ShardNotFound(impl, s, id);
  if (!s.shards[*index]->open()) return NotEligible(impl, s, id);
  return s.shards[*index];
}

}  // namespace

KResult<Done> StreamManager::SplitShard(const std::string& name, const std::string& shard_id,
                                        uint128 new_starting_hash_key) {
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  const int64_t open_total = impl_->OpenShardCount();
  ReaderLock lock(s->mu);
  if (s->deleted_ms) return impl_->NotFound(name);
  if (impl_->StatusOf(*s) != "ACTIVE") return impl_->NotActive(*s);
  auto shard = OpenShard(*impl_, *s, shard_id);
  if (!shard.ok()) return shard.error();
  const HashRange r = (*shard)->range;
  if (!(new_starting_hash_key > r.start + 1 && new_starting_hash_key < r.end)) {
    return MakeError(ErrorType::kInvalidArgument,
                     fmt::format("NewStartingHashKey {} used in SplitShard() on shard {} in stream "
                                 "{} under account {} is not both greater than one plus the "
                                 "shard's StartingHashKey {} and less than the shard's "
                                 "EndingHashKey {}.",
                                 ToDecimal(new_starting_hash_key), shard_id, name,
                                 impl_->options.account_id, ToDecimal(r.start), ToDecimal(r.end)));
  }
  if (open_total + 1 > impl_->options.shard_limit) {
    return MakeError(ErrorType::kLimitExceeded,
                     fmt::format("This request would exceed the shard limit for the account {} in "
                                 "{}. Current shard count for the account: {}. Limit: {}. Number "
                                 "of additional shards that would have resulted from this "
                                 "request: 1.",
                                 impl_->options.account_id, impl_->options.region,
                                 open_total, impl_->options.shard_limit));
  }
  Plan plan = MakePlan(*s);
  plan.Split(plan.Find((*shard)->index), new_starting_hash_key, impl_->Now());
  lock.Unlock();  // control_mu keeps the plan valid until Apply
  return Apply(*impl_, *s, plan);
}

KResult<Done> StreamManager::MergeShards(const std::string& name, const std::string& shard_id,
                                         const std::string& adjacent_shard_id) {
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  ReaderLock lock(s->mu);
  if (s->deleted_ms) return impl_->NotFound(name);
  if (impl_->StatusOf(*s) != "ACTIVE") return impl_->NotActive(*s);
  auto a = OpenShard(*impl_, *s, shard_id);
  if (!a.ok()) return a.error();
  auto b = OpenShard(*impl_, *s, adjacent_shard_id);
  if (!b.ok()) return b.error();
  const HashRange ra = (*a)->range, rb = (*b)->range;
  const bool adjacent = (ra.end != kMaxHashKey && ra.end + 1 == rb.start) ||
                        (rb.end != kMaxHashKey && rb.end + 1 == ra.start);
  if (!adjacent) {
    return MakeError(ErrorType::kInvalidArgument,
                     fmt::format("Shards {} and {} in stream {} under account {} are not an "
                                 "adjacent pair of shards eligible for merging",
                                 shard_id, adjacent_shard_id, name, impl_->options.account_id));
  }
  Plan plan = MakePlan(*s);
  const size_t pa = plan.Find((*a)->index), pb = plan.Find((*b)->index);
  plan.Merge(std::min(pa, pb), (*a)->index, (*b)->index, impl_->Now());
  lock.Unlock();  // control_mu keeps the plan valid until Apply
  return Apply(*impl_, *s, plan);
}

KResult<int> StreamManager::UpdateShardCount(const std::string& name, int target) {
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  const int64_t open_total = impl_->OpenShardCount();
  ReaderLock lock(s->mu);
  if (s->deleted_ms) return impl_->NotFound(name);
  if (impl_->StatusOf(*s) != "ACTIVE") return impl_->NotActive(*s);
  const int64_t now = impl_->Now();
  const int max_calls = impl_->options.update_shard_count_limit;
  if (max_calls > 0 && RecentShardCountUpdates(*s, now) >= max_calls) {
    return MakeError(ErrorType::kLimitExceeded,
                     fmt::format("UpdateShardCount cannot scale stream {} under account {} more than {} "
                                 "times per rolling 24-hour period.",
                                 name, impl_->options.account_id, max_calls));
  }
  Plan plan = MakePlan(*s);
  const int current = static_cast<int>(plan.open.size());
  if (target > 2 * current) {
    return MakeError(ErrorType::kLimitExceeded,
                     fmt::format("UpdateShardCount cannot scale up over double your current open "
                                 "shard count. Current open shard count: {} Target shard count: {}",
                                 current, target));
  }
  if (2 * target < current) {
    return MakeError(ErrorType::kLimitExceeded,
                     fmt::format("UpdateShardCount cannot scale down below half your current open "
                                 "shard count. Current open shard count: {} Target shard count: {}",
                                 current, target));
  }
  if (open_total - current + target > impl_->options.shard_limit) {
    return MakeError(ErrorType::kLimitExceeded,
                     fmt::format("UpdateShardCount would exceed the shard limit for the account {} "
                                 "in {}. Limit: {}.",
                                 impl_->options.account_id, impl_->options.region,
                                 impl_->options.shard_limit));
  }
  const auto goal = EvenSplit(static_cast<size_t>(target));
  const bool already = static_cast<int>(plan.open.size()) == target &&
                       std::equal(goal.begin(), goal.end(), plan.open.begin(),
                                  [](const HashRange& g, const Plan::Piece& p) { return g == p.range; });
  // Only calls that reshard count towards the rate rule; one already at its target
  // changes nothing.
  if (already) return current;
  // 1. Split open shards at every goal boundary inside them: each piece then lies
  //    within one goal range.
  for (const HashRange& g : goal) {
    if (g.start == 0) continue;
    for (size_t i = 0; i < plan.open.size(); ++i) {
      const HashRange r = plan.open[i].range;
      if (r.start < g.start && g.start <= r.end) {
        plan.Split(i, g.start, now);
        break;
      }
    }
  }
  // 2. Merge the pieces of each goal range, left to right.
  for (const HashRange& g : goal) {
    size_t i = 0;
    while (i < plan.open.size() && plan.open[i].range.start != g.start) ++i;
    while (i + 1 < plan.open.size() && plan.open[i].range.end < g.end) {
      plan.Merge(i, plan.open[i].index, plan.open[i + 1].index, now);
    }
  }
  lock.Unlock();  // control_mu keeps the plan valid until Apply
  auto applied = Apply(*impl_, *s, plan, catalog::ShardCountUpdate{now, now - kShardCountWindowMs});
  if (!applied.ok()) return applied.error();
  return current;
}

}  // namespace sluice::stream
