#include "functions/event_source_mappings.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <thread>

#include "base/mutex.h"
#include "catalog/mappings.h"
#include "internal/mapping_config.h"
#include "internal/mapping_runner.h"
#include "internal/on_failure.h"
#include "base/thread_name.h"

namespace sluice::functions {
namespace {

using internal::MappingRunner;

MappingError Err(MappingErrorType type, std::string message) { return {type, std::move(message)}; }

MappingError NotFound() {
  return Err(MappingErrorType::kResourceNotFound, "The resource you requested does not exist.");
}

MappingError Internal(const Status& st) {
  spdlog::error("event-source mappings: {}", st.ToString());
  return Err(MappingErrorType::kService, "An error occurred and the request cannot be processed.");
}

// A change that failed: the mapping was deleted meanwhile, or the catalog failed.
MappingError Failed(const Status& st) {
  return st.code() == StatusCode::kNotFound ? NotFound() : Internal(st);
}

// "f" for "f", "f:$LATEST", "123456789012:function:f", "arn:aws:lambda:r:a:function:f[:q]".
std::string FunctionNamePart(std::string_view name) {
  const size_t fn = name.find("function:");
  if (fn != std::string_view::npos) name = name.substr(fn + 9);
  return std::string(name.substr(0, name.find(':')));
}

constexpr int64_t kDefaultMaxItems = 100;
constexpr int64_t kMaxMaxItems = 10'000;

}  // namespace

// One poller thread per mapping, around a MappingRunner.
struct Poller {
  std::shared_ptr<MappingRunner> runner;
  std::thread thread;
};

class MappingManager::Impl {
 public:
  Impl(Options o, catalog::Catalog& catalog, stream::StreamManager& streams, Invoker& invoker)
      : options_(std::move(o)), catalog_(catalog), streams_(streams), invoker_(invoker),
        clock_(options_.clock != nullptr ? *options_.clock : Clock::Real()) {}

  ~Impl() { Close(); }

  internal::RunnerDeps Deps() const {
    return {.catalog = &catalog_, .streams = &streams_, .invoker = &invoker_, .clock = &clock_,
            .store = options_.store, .sink = options_.sink, .region = options_.region,
            .max_payload_bytes = options_.max_payload_bytes,
            .concurrent = options_.concurrent, .metrics = &metrics_, .builtin_log = &builtin_log_};
  }

  Status Load() {
    ASSIGN_OR_RETURN(std::vector<catalog::MappingRow> rows, catalog::LoadMappings(catalog_));
    for (const catalog::MappingRow& row : rows) {
      ASSIGN_OR_RETURN(MappingConfig config, internal::ConfigFromJson(row.config_json));
      config.uuid = row.uuid;
      ASSIGN_OR_RETURN(std::vector<catalog::MappingCheckpointRow> cps,
                       catalog::LoadMappingCheckpoints(catalog_, row.uuid));
      MappingInfo info{.config = std::move(config), .mapping_arn = ArnFor(row.uuid), .state = row.state,
                       .created_ms = row.created_ms, .last_modified_ms = row.last_modified_ms,
                       .last_processing_result = row.last_processing_result};
      Start(std::make_shared<MappingRunner>(Deps(), std::move(info), cps));
    }
    return Status::OK();
  }

  std::string ArnFor(std::string_view uuid) const {
    return "arn:aws:lambda:" + options_.region + ":" + options_.account_id + ":event-source-mapping:" +
           std::string(uuid);
  }

  void Start(std::shared_ptr<MappingRunner> runner) {
    const std::string uuid = runner->Info().config.uuid;
    Poller p{runner, {}};
    if (options_.start_threads) p.thread = std::thread([this, runner] {
      NameThisThread("esm-poll");
      Loop(*runner);
    });
    const MutexLock lock(mu_);
    pollers_[uuid] = std::move(p);
  }

  void Loop(MappingRunner& runner) {
    for (;;) {
      {
        const MutexLock lock(mu_);
        if (closing_) return;
      }
      const bool progress = runner.RunOnce();
      if (runner.gone()) return;
      if (progress && !runner.backing_off()) continue;
      const int64_t wait = runner.backing_off() ? options_.retry_backoff_ms : options_.idle_poll_ms;
      MutexLock lock(mu_);
      if (closing_) return;
      wake_.WaitFor(mu_, std::chrono::milliseconds(wait));
    }
  }

  void Wake() { wake_.SignalAll(); }

  // Joins and forgets pollers whose mapping was deleted.
  void Reap() {
    std::vector<Poller> done;
    {
      const MutexLock lock(mu_);
      for (auto it = pollers_.begin(); it != pollers_.end();) {
        if (it->second.runner->gone()) {
          done.push_back(std::move(it->second));
          it = pollers_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (Poller& p : done) {
      if (p.thread.joinable()) p.thread.join();
    }
  }

  std::shared_ptr<MappingRunner> Find(std::string_view uuid) {
    Reap();
    const MutexLock lock(mu_);
    const auto it = pollers_.find(std::string(uuid));
    if (it == pollers_.end() || it->second.runner->gone()) return nullptr;
    return it->second.runner;
  }

  std::vector<std::shared_ptr<MappingRunner>> All() {
    Reap();
    std::vector<std::shared_ptr<MappingRunner>> all;
    const MutexLock lock(mu_);
    for (const auto& [uuid, p] : pollers_) {
      if (!p.runner->gone()) all.push_back(p.runner);
    }
    return all;
  }

  MappingResult<std::string> ResolveFunction(const std::string& name) {
    Expected<ResolvedFunction, InvokeError> fn = invoker_.Resolve(name);
    if (!fn.ok()) {
      if (fn.error().code == InvokeErrorType::kResourceNotFound) {
        return Err(MappingErrorType::kInvalidParameterValue, "Function does not exist");
      }
      return Err(MappingErrorType::kService, fn.error().message);
    }
    return fn->arn;
  }

  MappingResult<MappingInfo> Create(const MappingInput& in) {
    ASSIGN_OR_RETURN(MappingConfig config, internal::ValidateCreate(in));
    if (!in.function_name || in.function_name->empty()) {
      return Err(MappingErrorType::kValidation,
                 "1 validation error detected: Value null at 'functionName' failed to satisfy "
                 "constraint: Member must not be null");
    }
    ASSIGN_OR_RETURN(config.function_arn, ResolveFunction(*in.function_name));
    config.stream_name = streams_.NameFromArn(config.event_source_arn);
    if (config.stream_name.empty() || !streams_.DescribeStream(config.stream_name).ok()) {
      return Err(MappingErrorType::kInvalidParameterValue, "Stream not found: " + config.event_source_arn);
    }
    const MutexLock create(create_mu_);  // the duplicate check and the insert as one step
    for (const auto& runner : All()) {
      const MappingInfo other = runner->Info();
      if (other.config.function_arn == config.function_arn &&
          other.config.event_source_arn == config.event_source_arn) {
        return Err(MappingErrorType::kResourceConflict,
                   "The event source arn (\" " + config.event_source_arn + " \") and function (\" " +
                       *in.function_name + " \") provided mapping already exists. Please update or "
                       "delete the existing mapping with UUID " + other.config.uuid);
      }
    }
    config.uuid = internal::RandomUuid();
    const int64_t now = clock_.NowMillis();
    MappingInfo info{.config = config, .mapping_arn = ArnFor(config.uuid), .state = "Creating",
                     .created_ms = now, .last_modified_ms = now};
    const catalog::MappingRow row{.uuid = config.uuid, .function_arn = config.function_arn,
                                  .event_source_arn = config.event_source_arn,
                                  .config_json = internal::ConfigToJson(config), .state = info.state,
                                  .created_ms = now, .last_modified_ms = now,
                                  .last_processing_result = info.last_processing_result};
    if (const Status st = catalog::InsertMapping(catalog_, row); !st.ok()) return Internal(st);
    Start(std::make_shared<MappingRunner>(Deps(), info, std::vector<catalog::MappingCheckpointRow>{}));
    return info;
  }

  MappingResult<MappingList> List(std::string_view function_name, std::string_view source_arn,
                                  std::string_view marker, std::optional<int64_t> max_items) {
    const int64_t max = max_items.value_or(kDefaultMaxItems);
    if (max < 1 || max > kMaxMaxItems) {
      return Err(MappingErrorType::kValidation,
                 "1 validation error detected: Value '" + std::to_string(max) +
                     "' at 'maxItems' failed to satisfy constraint: Member must have value " +
                     (max < 1 ? "greater than or equal to 1" : "less than or equal to 10000"));
    }
    const std::string want_fn = function_name.empty() ? "" : FunctionNamePart(function_name);
    MappingList list;
    for (const auto& runner : All()) {  // by UUID
      MappingInfo info = runner->Info();
      if (!marker.empty() && info.config.uuid <= marker) continue;
      if (!want_fn.empty() && FunctionNamePart(info.config.function_arn) != want_fn) continue;
      if (!source_arn.empty() && info.config.event_source_arn != source_arn) continue;
      if (static_cast<int64_t>(list.mappings.size()) == max) {
        list.next_marker = list.mappings.back().config.uuid;
        break;
      }
      list.mappings.push_back(std::move(info));
    }
    return list;
  }

  MappingResult<MappingInfo> Update(std::string_view uuid, const MappingInput& in) {
    std::shared_ptr<MappingRunner> runner = Find(uuid);
    if (!runner) return NotFound();
    const MappingInfo current = runner->Info();
    if (current.state == "Deleting") {
      return Err(MappingErrorType::kResourceInUse,
                 "Cannot update the event source mapping because it is being deleted.");
    }
    ASSIGN_OR_RETURN(MappingConfig config, internal::ValidateUpdate(current.config, in));
    if (in.function_name && !in.function_name->empty()) {
      ASSIGN_OR_RETURN(config.function_arn, ResolveFunction(*in.function_name));
    }
    std::string state = "Updating";
    if (config.enabled != current.config.enabled) state = config.enabled ? "Enabling" : "Disabling";
    Result<MappingInfo> changed = runner->Change(config, state, clock_.NowMillis());
    if (!changed.ok()) return Failed(changed.status());
    Wake();
    return *changed;
  }

  MappingResult<MappingInfo> Delete(std::string_view uuid) {
    std::shared_ptr<MappingRunner> runner = Find(uuid);
    if (!runner) return NotFound();
    MappingInfo current = runner->Info();
    if (current.state != "Deleting") {
      Result<MappingInfo> changed = runner->Change(current.config, "Deleting", clock_.NowMillis());
      if (!changed.ok()) return Failed(changed.status());
      current = std::move(*changed);
    }
    Wake();
    return current;
  }

  bool RunOnce() {
    bool progress = false;
    for (const auto& runner : All()) progress |= runner->RunOnce();
    Reap();
    return progress;
  }

  void Close() {
    std::vector<Poller> all;
    {
      const MutexLock lock(mu_);
      closing_ = true;
      for (auto& [uuid, p] : pollers_) all.push_back(std::move(p));
      pollers_.clear();
    }
    Wake();
    for (Poller& p : all) {
      if (p.thread.joinable()) p.thread.join();
    }
  }

 private:
  const Options options_;
  catalog::Catalog& catalog_;
  stream::StreamManager& streams_;
  Invoker& invoker_;
  Clock& clock_;
  mutable LambdaMetrics metrics_{options_.metrics.get()};  // IteratorAge; built-ins' invocations
  mutable internal::BuiltinLog builtin_log_{options_.logs, clock_};
  Mutex create_mu_;
  Mutex mu_;
  CondVar wake_;
  std::map<std::string, Poller> pollers_ GUARDED_BY(mu_);
  bool closing_ GUARDED_BY(mu_) = false;
};

Result<std::unique_ptr<MappingManager>> MappingManager::Open(Options options, catalog::Catalog& catalog,
                                                             stream::StreamManager& streams,
                                                             Invoker& invoker) {
  auto impl = std::make_unique<Impl>(std::move(options), catalog, streams, invoker);
  RETURN_IF_ERROR(impl->Load());
  return std::make_unique<MappingManager>(PassKey(), std::move(impl));
}

MappingManager::MappingManager(PassKey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MappingManager::~MappingManager() = default;

MappingResult<MappingInfo> MappingManager::Create(const MappingInput& input) { return impl_->Create(input); }

MappingResult<MappingInfo> MappingManager::Get(std::string_view uuid) const {
  std::shared_ptr<MappingRunner> runner = impl_->Find(uuid);
  if (!runner) return NotFound();
  return runner->Info();
}

MappingResult<MappingList> MappingManager::List(std::string_view function_name,
                                                std::string_view event_source_arn,
                                                std::string_view marker,
                                                std::optional<int64_t> max_items) const {
  return impl_->List(function_name, event_source_arn, marker, max_items);
}

MappingResult<MappingInfo> MappingManager::Update(std::string_view uuid, const MappingInput& input) {
  return impl_->Update(uuid, input);
}

MappingResult<MappingInfo> MappingManager::Delete(std::string_view uuid) { return impl_->Delete(uuid); }

bool MappingManager::RunOnce() { return impl_->RunOnce(); }

void MappingManager::Close() { impl_->Close(); }

}  // namespace sluice::functions
