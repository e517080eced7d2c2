// LogStore: groups in the catalog, one append-only file of JSON lines per stream
// (docs/formats/function-logs.md), per-stream summaries in memory.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "catalog/log_groups.h"
#include "functions/logs.h"

namespace sluice::functions {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kExpireEveryMs = 3'600'000;
constexpr std::string_view kEventsSuffix = ".events";

LogsFailure NotFound(std::string message) { return {LogsError::kResourceNotFound, std::move(message)}; }
LogsFailure Invalid(std::string message) { return {LogsError::kInvalidParameter, std::move(message)}; }
LogsFailure Service(const Status& st) { return {LogsError::kService, st.message()}; }
LogsFailure BadToken() { return Invalid("The specified nextToken is invalid."); }

// File names: bytes outside [A-Za-z0-9._-] as %XX.
std::string EncodeName(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '.' || c == '_' ||
        c == '-') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> DecodeName(std::string_view file) {
  std::string out;
  for (size_t i = 0; i < file.size(); ++i) {
    if (file[i] != '%') {
      out += file[i];
      continue;
    }
    if (i + 2 >= file.size()) return std::nullopt;
    const int hi = Hex(file[i + 1]), lo = Hex(file[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<int64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string EventLine(const LogEvent& e) {
  nlohmann::json j = {{"s", e.seq}, {"t", e.timestamp_ms}, {"i", e.ingestion_ms}, {"m", e.message}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Every whole record of a stream file; a torn or unreadable line (a crash mid-write) is skipped.
std::vector<LogEvent> ReadEvents(const std::string& path) {
  std::vector<LogEvent> events;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("s") || !j.contains("t") || !j.contains("i") ||
        !j.contains("m") || !j["s"].is_number_integer() || !j["t"].is_number_integer() ||
        !j["i"].is_number_integer() || !j["m"].is_string()) {
      continue;
    }
    events.push_back({j["t"].get<int64_t>(), j["m"].get<std::string>(), j["i"].get<int64_t>(), j["s"].get<int64_t>()});
  }
  return events;
}

Status WriteAll(const std::string& path, std::string_view bytes, bool append) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return Status::IOError("cannot write " + path + ": " + std::strerror(err));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  close(fd);
  return Status::OK();
}

// GetLogEvents' tokens: f/<seq> (events from seq on) or b/<seq> (events before seq),
// seq written in 56 digits as AWS's tokens are.
std::string SeqToken(char kind, int64_t seq) { return fmt::format("{}/{:056}", kind, seq); }

std::optional<int64_t> ParseSeqToken(std::string_view t) {
  if (t.size() != 58 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/') return std::nullopt;
  const std::string_view digits = t.substr(2);
  if (digits.substr(0, 38).find_first_not_of('0') != std::string_view::npos) return std::nullopt;
  return ParseDecimal(digits.substr(38));
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string ToHex(std::string_view s) {
  std::string out;
  for (const char c : s) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

std::optional<std::string> FromHex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = Hex(s[i]), lo = Hex(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

struct StreamState {
  int64_t created_ms = 0;
  std::optional<int64_t> first_event_ms, last_event_ms, last_ingestion_ms;
  int64_t next_seq = 0;
  int64_t bytes = 0;
};

struct GroupState {
  catalog::LogGroupRow row;
  std::map<std::string, StreamState, std::less<>> streams;
};

// FilterLogEvents' order and its page token: (timestamp, stream, seq).
struct FilterKey {
  int64_t ts = 0;
  std::string stream;
  int64_t seq = 0;
  auto operator<=>(const FilterKey&) const = default;
};

class Store final : public LogStore {
 public:
  Store(LogStoreOptions options, catalog::Catalog& catalog) : options_(std::move(options)), catalog_(catalog) {}

  Status Load() {
    std::error_code ec;
    std::filesystem::create_directories(options_.dir, ec);
    if (ec) return Status::IOError("cannot create " + options_.dir + ": " + ec.message());
    ASSIGN_OR_RETURN(std::vector<catalog::LogGroupRow> rows, catalog::LoadLogGroups(catalog_));
    const MutexLock lock(mu_);
    for (catalog::LogGroupRow& row : rows) {
      GroupState& g = groups_[row.name];
      const std::string dir = GroupDir(row.name);
      g.row = std::move(row);
      if (!std::filesystem::is_directory(dir, ec)) continue;
      for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string file = entry.path().filename().string();
        if (!file.ends_with(kEventsSuffix)) continue;
        std::optional<std::string> name = DecodeName(file.substr(0, file.size() - kEventsSuffix.size()));
        if (!name) continue;
        StreamState s;
        Summarize(ReadEvents(entry.path().string()), s);
        g.streams[*name] = s;
      }
    }
    return ExpireLocked();
  }

  LogsResult<Done> CreateGroup(std::string_view name) override {
    const MutexLock lock(mu_);
    if (groups_.contains(name)) {
      return LogsFailure{LogsError::kResourceAlreadyExists, "The specified log group already exists"};
    }
    if (Status st = CreateGroupLocked(name); !st.ok()) return Service(st);
    return Done{};
  }

  LogsResult<Done> DeleteGroup(std::string_view name) override {
    const MutexLock lock(mu_);
    auto it = groups_.find(name);
    if (it == groups_.end()) return NotFound("The specified log group does not exist.");
    if (Status st = catalog::RemoveLogGroup(catalog_, name); !st.ok() && st.code() != StatusCode::kNotFound) {
      return Service(st);
    }
    std::error_code ec;
    std::filesystem::remove_all(GroupDir(name), ec);
    groups_.erase(it);
    return Done{};
  }

  LogsResult<GroupPage> DescribeGroups(std::string_view prefix, std::string_view token, int64_t limit) override {
    std::string after;
    if (!token.empty()) {
      std::optional<std::string> t = FromHex(token);
      if (!t) return BadToken();
      after = *t;
    }
    const MutexLock lock(mu_);
    GroupPage page;
    for (auto it = after.empty() ? groups_.lower_bound(prefix) : groups_.upper_bound(after); it != groups_.end();
         ++it) {
      if (!it->first.starts_with(prefix)) break;
      if (static_cast<int64_t>(page.groups.size()) == limit) {
        page.next_token = ToHex(page.groups.back().name);
        break;
      }
      page.groups.push_back(GroupInfo(it->second));
    }
    return page;
  }

  LogsResult<Done> PutRetention(std::string_view name, int64_t days) override {
    if (!IsAllowedRetentionDays(days)) {
      return Invalid(fmt::format("1 validation error detected: Value '{}' at 'retentionInDays' failed to satisfy "
                                 "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, "
                                 "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]",
                                 days));
    }
    return SetRetention(name, days);
  }

  LogsResult<Done> DeleteRetention(std::string_view name) override { return SetRetention(name, std::nullopt); }

  LogsResult<StreamPage> DescribeStreams(const DescribeStreamsInput& in) override {
    if (in.order_by_last_event && !in.prefix.empty()) {
      return Invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    size_t offset = 0;
    if (!in.token.empty()) {
      std::optional<int64_t> o = ParseDecimal(in.token);
      if (!o) return BadToken();
      offset = static_cast<size_t>(*o);
    }
    const MutexLock lock(mu_);
    auto g = groups_.find(in.group);
    if (g == groups_.end()) return NotFound("The specified log group does not exist.");
    std::vector<LogStreamInfo> all;
    for (const auto& [name, s] : g->second.streams) {
      if (name.starts_with(in.prefix)) all.push_back(StreamInfo(g->second, name, s));
    }
    if (in.order_by_last_event) {
      std::stable_sort(all.begin(), all.end(), [](const LogStreamInfo& a, const LogStreamInfo& b) {
        return a.last_event_ms.value_or(0) < b.last_event_ms.value_or(0);
      });
    }
    if (in.descending) std::reverse(all.begin(), all.end());
    StreamPage page;
    for (size_t i = offset; i < all.size(); ++i) {
      if (static_cast<int64_t>(page.streams.size()) == in.limit) {
        page.next_token = std::to_string(i);
        break;
      }
      page.streams.push_back(std::move(all[i]));
    }
    return page;
  }

  LogsResult<EventsPage> GetEvents(const GetEventsInput& in) override {
    std::optional<char> kind;
    int64_t at = 0;
    if (!in.token.empty()) {
      std::optional<int64_t> seq = ParseSeqToken(in.token);
      if (!seq) return BadToken();
      kind = in.token[0];
      at = *seq;
    }
    std::vector<LogEvent> events;
    int64_t next_seq = 0;
    {
      const MutexLock lock(mu_);
      auto g = groups_.find(in.group);
      if (g == groups_.end()) return NotFound("The specified log group does not exist.");
      auto s = g->second.streams.find(in.stream);
      if (s == g->second.streams.end()) return NotFound("The specified log stream does not exist.");
      next_seq = s->second.next_seq;
      events = LiveEvents(g->second, in.stream);
    }
    std::erase_if(events, [&](const LogEvent& e) {
      return (in.start_ms && e.timestamp_ms < *in.start_ms) || (in.end_ms && e.timestamp_ms >= *in.end_ms) ||
             (kind == 'f' && e.seq < at) || (kind == 'b' && e.seq >= at);
    });
    const size_t limit = static_cast<size_t>(in.limit);
    const bool from_head = kind ? *kind == 'f' : in.start_from_head;
    if (events.size() > limit) {
      if (from_head) {
        events.resize(limit);
      } else {
        events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(limit));
      }
    }
    EventsPage page;
    if (!events.empty()) {
      page.forward_token = SeqToken('f', events.back().seq + 1);
      page.backward_token = SeqToken('b', events.front().seq);
    } else {
      const int64_t here = kind ? at : (in.start_from_head ? 0 : next_seq);
      page.forward_token = SeqToken('f', here);
      page.backward_token = SeqToken('b', here);
    }
    page.events = std::move(events);
    return page;
  }

  LogsResult<FilterPage> FilterEvents(const FilterInput& in) override {
    if (!in.stream_names.empty() && !in.stream_prefix.empty()) {
      return Invalid("Cannot specify both logStreamNames and logStreamNamePrefix.");
    }
    LogsResult<FilterPattern> pattern = FilterPattern::Parse(in.pattern);
    if (!pattern.ok()) return pattern.error();
    std::optional<FilterKey> after;
    if (!in.token.empty()) {
      // <timestamp>/<seq>/<stream in hex>
      const size_t a = in.token.find('/');
      const size_t b = a == std::string::npos ? a : in.token.find('/', a + 1);
      if (b == std::string::npos) return BadToken();
      std::optional<int64_t> ts = ParseDecimal(std::string_view(in.token).substr(0, a));
      std::optional<int64_t> seq = ParseDecimal(std::string_view(in.token).substr(a + 1, b - a - 1));
      std::optional<std::string> stream = FromHex(std::string_view(in.token).substr(b + 1));
      if (!ts || !seq || !stream) return BadToken();
      after = FilterKey{*ts, *stream, *seq};
    }
    std::vector<std::pair<FilterKey, FilteredEvent>> found;
    FilterPage page;
    {
      const MutexLock lock(mu_);
      auto g = groups_.find(in.group);
      if (g == groups_.end()) return NotFound("The specified log group does not exist.");
      std::vector<std::string> names;
      if (!in.stream_names.empty()) {
        for (const std::string& n : in.stream_names) {
          if (!g->second.streams.contains(n)) return NotFound("The specified log stream does not exist.");
          names.push_back(n);
        }
      } else {
        for (const auto& [n, s] : g->second.streams) {
          if (n.starts_with(in.stream_prefix)) names.push_back(n);
        }
      }
      for (const std::string& n : names) {
        page.searched_streams.push_back(n);
        const uint64_t stream_hash = Fnv1a(n) % 10'000'000'000'000'000ull;
        for (LogEvent& e : LiveEvents(g->second, n)) {
          if ((in.start_ms && e.timestamp_ms < *in.start_ms) || (in.end_ms && e.timestamp_ms >= *in.end_ms)) continue;
          FilterKey key{e.timestamp_ms, n, e.seq};
          if (after && !(*after < key)) continue;
          if (!pattern->Matches(e.message)) continue;
          std::string id = fmt::format("{:020}{:016}{:020}", e.timestamp_ms, stream_hash, e.seq);
          found.emplace_back(std::move(key), FilteredEvent{n, std::move(e), std::move(id)});
        }
      }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const size_t limit = static_cast<size_t>(in.limit);
    if (found.size() > limit) {
      const FilterKey& last = found[limit - 1].first;
      page.next_token = fmt::format("{}/{}/{}", last.ts, last.seq, ToHex(last.stream));
      found.resize(limit);
    }
    for (auto& [key, e] : found) page.events.push_back(std::move(e));
    return page;
  }

  Status Append(std::string_view group, std::string_view stream, std::span<const LogEvent> events) override {
    if (events.empty()) return Status::OK();
    const MutexLock lock(mu_);
    if (!groups_.contains(group)) RETURN_IF_ERROR(CreateGroupLocked(group));
    GroupState& g = groups_.find(group)->second;
    auto [it, created] = g.streams.try_emplace(std::string(stream));
    StreamState& s = it->second;
    const int64_t now = options_.clock->NowMillis();
    if (created) s.created_ms = now;
    std::string bytes;
    std::vector<LogEvent> written;
    for (const LogEvent& e : events) {
      LogEvent copy = e;
      copy.ingestion_ms = now;
      copy.seq = s.next_seq++;
      bytes += EventLine(copy);
      written.push_back(std::move(copy));
    }
    std::error_code ec;
    std::filesystem::create_directories(GroupDir(group), ec);
    RETURN_IF_ERROR(WriteAll(StreamFile(group, stream), bytes, true));
    Summarize(written, s);
    // Expired events leave the files at most an hour after they expire.
    if (now - last_expire_ms_ >= kExpireEveryMs) return ExpireLocked();
    return Status::OK();
  }

  Status Expire() override {
    const MutexLock lock(mu_);
    return ExpireLocked();
  }

 private:
  Status ExpireLocked() REQUIRES(mu_) {
    const int64_t now = options_.clock->NowMillis();
    last_expire_ms_ = now;
    for (auto& [name, g] : groups_) {
      if (!g.row.retention_days) continue;
      const int64_t cutoff = now - *g.row.retention_days * kDayMs;
      for (auto it = g.streams.begin(); it != g.streams.end();) {
        if (!it->second.first_event_ms || *it->second.first_event_ms >= cutoff) {
          ++it;
          continue;
        }
        const std::string path = StreamFile(name, it->first);
        std::vector<LogEvent> events = ReadEvents(path);
        std::erase_if(events, [&](const LogEvent& e) { return e.timestamp_ms < cutoff; });
        if (events.empty()) {
          std::error_code ec;
          std::filesystem::remove(path, ec);
          it = g.streams.erase(it);
          continue;
        }
        std::string bytes;
        for (const LogEvent& e : events) bytes += EventLine(e);
        RETURN_IF_ERROR(WriteAll(path + ".tmp", bytes, false));
        std::error_code ec;
        std::filesystem::rename(path + ".tmp", path, ec);
        if (ec) return Status::IOError("cannot replace " + path + ": " + ec.message());
        const int64_t next_seq = it->second.next_seq, created_ms = it->second.created_ms;
        it->second = StreamState{};
        Summarize(events, it->second);
        it->second.next_seq = std::max(next_seq, it->second.next_seq);
        it->second.created_ms = created_ms;
        ++it;
      }
    }
    return Status::OK();
  }

  std::string GroupDir(std::string_view group) const { return options_.dir + "/" + EncodeName(group); }
  std::string StreamFile(std::string_view group, std::string_view stream) const {
    return GroupDir(group) + "/" + EncodeName(stream) + std::string(kEventsSuffix);
  }

  static void Summarize(const std::vector<LogEvent>& events, StreamState& s) {
    for (const LogEvent& e : events) {
      if (s.created_ms == 0) s.created_ms = e.ingestion_ms;
      s.first_event_ms = std::min(s.first_event_ms.value_or(e.timestamp_ms), e.timestamp_ms);
      s.last_event_ms = std::max(s.last_event_ms.value_or(e.timestamp_ms), e.timestamp_ms);
      s.last_ingestion_ms = std::max(s.last_ingestion_ms.value_or(e.ingestion_ms), e.ingestion_ms);
      s.next_seq = std::max(s.next_seq, e.seq + 1);
      s.bytes += static_cast<int64_t>(e.message.size());
    }
  }

  // The stream's events within the group's retention.
  std::vector<LogEvent> LiveEvents(const GroupState& g, std::string_view stream) REQUIRES(mu_) {
    std::vector<LogEvent> events = ReadEvents(StreamFile(g.row.name, stream));
    if (g.row.retention_days) {
      const int64_t cutoff = options_.clock->NowMillis() - *g.row.retention_days * kDayMs;
      std::erase_if(events, [&](const LogEvent& e) { return e.timestamp_ms < cutoff; });
    }
    return events;
  }

  Status CreateGroupLocked(std::string_view name) REQUIRES(mu_) {
    catalog::LogGroupRow row{std::string(name), options_.clock->NowMillis(), std::nullopt};
    Status st = catalog::InsertLogGroup(catalog_, row);
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
    groups_[row.name].row = std::move(row);
    return Status::OK();
  }

  LogsResult<Done> SetRetention(std::string_view name, std::optional<int64_t> days) {
    {
      const MutexLock lock(mu_);
      auto it = groups_.find(name);
      if (it == groups_.end()) return NotFound("The specified log group does not exist.");
      if (Status st = catalog::SetLogGroupRetention(catalog_, name, days); !st.ok()) return Service(st);
      it->second.row.retention_days = days;
    }
    if (Status st = Expire(); !st.ok()) return Service(st);
    return Done{};
  }

  LogGroupInfo GroupInfo(const GroupState& g) const {
    LogGroupInfo info{g.row.name, Arn(g.row.name) + ":*", g.row.created_ms, g.row.retention_days, 0};
    for (const auto& [n, s] : g.streams) info.stored_bytes += s.bytes;
    return info;
  }

  LogStreamInfo StreamInfo(const GroupState& g, const std::string& name, const StreamState& s) const {
    return {name,          Arn(g.row.name) + ":log-stream:" + name, s.created_ms, s.first_event_ms, s.last_event_ms,
            s.last_ingestion_ms, s.bytes};
  }

  std::string Arn(std::string_view group) const {
    return fmt::format("arn:aws:logs:{}:{}:log-group:{}", options_.region, options_.account, group);
  }

  const LogStoreOptions options_;
  catalog::Catalog& catalog_;
  Mutex mu_;
  std::map<std::string, GroupState, std::less<>> groups_ GUARDED_BY(mu_);
  int64_t last_expire_ms_ GUARDED_BY(mu_) = 0;
};

}  // namespace

Result<std::unique_ptr<LogStore>> LogStore::Open(const LogStoreOptions& options, catalog::Catalog& catalog) {
  auto store = std::make_unique<Store>(options, catalog);
  RETURN_IF_ERROR(store->Load());
  return std::unique_ptr<LogStore>(std::move(store));
}

}  // namespace sluice::functions
