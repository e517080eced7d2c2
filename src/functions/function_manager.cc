#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <fstream>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/mutex.h"
#include "base/random.h"
#include "catalog/functions.h"
#include "functions/builtins.h"
#include "functions/functions.h"
#include "internal/builtin_impl.h"
#include "internal/builtin_log.h"
#include "internal/config_store.h"
#include "internal/lambda_metrics.h"
#include "internal/package.h"
#include "internal/process_pool.h"
#include "internal/runtime_clients.h"
#include "internal/runtimes.h"
#include "internal/validate.h"
#include "objects/object_store.h"

// ASSIGN_OR_RETURN for LambdaResult.
#define ASSIGN_OR_RETURN_L(lhs, expr)                                                    \
  auto SLUICE_CONCAT(_l_, __LINE__) = (expr);                                            \
  if (!SLUICE_CONCAT(_l_, __LINE__).ok()) return SLUICE_CONCAT(_l_, __LINE__).error(); \
  lhs = std::move(SLUICE_CONCAT(_l_, __LINE__)).value()

namespace sluice::functions {

std::string_view LambdaErrorName(LambdaError e) {
  switch (e) {
    case LambdaError::kResourceNotFound: return "ResourceNotFoundException";
    case LambdaError::kResourceConflict: return "ResourceConflictException";
    case LambdaError::kInvalidParameterValue: return "InvalidParameterValueException";
    case LambdaError::kValidation: return "ValidationException";
    case LambdaError::kRequestTooLarge: return "RequestEntityTooLargeException";
    case LambdaError::kInvalidRequestContent: return "InvalidRequestContentException";
    case LambdaError::kTooManyRequests: return "TooManyRequestsException";
    case LambdaError::kPreconditionFailed: return "PreconditionFailedException";
    case LambdaError::kService: return "ServiceException";
  }
  return "ServiceException";
}

int LambdaErrorStatus(LambdaError e) {
  switch (e) {
    case LambdaError::kResourceNotFound: return 404;
    case LambdaError::kResourceConflict: return 409;
    case LambdaError::kRequestTooLarge: return 413;
    case LambdaError::kTooManyRequests: return 429;
    case LambdaError::kPreconditionFailed: return 412;
    case LambdaError::kService: return 500;
    default: return 400;
  }
}

namespace {

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string Uuid() {
  const std::string h = RandomHex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

LambdaFailure Fail(LambdaError code, std::string message) { return LambdaFailure{code, std::move(message)}; }

bool WriteFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// The first PATH entry holding an executable `name`, or empty.
std::string OnPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return "";
}

class Manager final : public FunctionManager {
 public:
  Manager(FunctionManagerOptions options, catalog::Catalog& catalog, objects::ObjectStore& objects)
      : options_(std::move(options)),
        catalog_(catalog),
        objects_(objects),
        pool_(options_.max_processes),
        endpoint_url_(options_.endpoint_url) {}

  Status Load() {
    std::error_code ec;
    std::filesystem::create_directories(options_.dir + "/packages", ec);
    std::filesystem::create_directories(options_.dir + "/runtime", ec);
    if (ec) return Status::IOError("cannot create " + options_.dir + ": " + ec.message());
    // The runtime clients ship inside the binary and are written out at each start.
    // Python runs a two-line bootstrap that imports the client as a module, so its
    // compiled form is cached in runtime/__pycache__ instead of compiled at every start.
    if (!WriteFile(options_.dir + "/runtime/sluice_lambda_runtime.py", PythonRuntimeClient()) ||
        !WriteFile(options_.dir + "/runtime/bootstrap.py",
                   "from sluice_lambda_runtime import main\n\nmain()\n") ||
        !WriteFile(options_.dir + "/runtime/node_runtime.js", NodeRuntimeClient())) {
      return Status::IOError("cannot write the runtime clients under " + options_.dir + "/runtime");
    }
    ASSIGN_OR_RETURN(std::vector<catalog::FunctionRow> rows, catalog::LoadFunctions(catalog_));
    const MutexLock lock(mu_);
    for (const catalog::FunctionRow& row : rows) {
      std::optional<FunctionConfig> c = ConfigFromStored(row.config_json);
      if (!c) return Status::Corruption("catalog: function " + row.name + " has an unreadable configuration");
      functions_[c->name] = std::move(*c);
    }
    return Status::OK();
  }

  RuntimeBroker& broker() override { return pool_; }
  void SetRuntimeApi(std::string host_port) override { pool_.SetRuntimeApi(std::move(host_port)); }
  void SetEndpointUrl(std::string url) override {
    const MutexLock lock(mu_);
    endpoint_url_ = std::move(url);
    specs_.clear();
  }
  void Shutdown() override { pool_.Shutdown(); }

  LambdaResult<FunctionConfig> Create(CreateFunctionInput input) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    FunctionConfig& c = input.config;
    if (auto e = CheckFunctionName(c.name)) return *e;
    // A create takes a plain name (or an ARN naming one) without a qualifier.
    std::optional<FunctionRef> ref = ParseFunctionRef(c.name);
    if (!ref->qualifier.empty()) {
      return Fail(LambdaError::kInvalidParameterValue, "Unsupported function name: " + c.name);
    }
    c.name = ref->name;
    if (c.runtime.empty() || c.handler.empty()) {
      return Fail(LambdaError::kInvalidParameterValue,
                  "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    }
    if (auto e = CheckRuntime(c.runtime)) return *e;
    if (auto e = CheckCommon(c)) return *e;
    ASSIGN_OR_RETURN_L(std::string zip, ReadCode(input.code));
    {
      const MutexLock lock(mu_);
      if (functions_.count(c.name) != 0) {
        return Fail(LambdaError::kResourceConflict, "Function already exist: " + c.name);
      }
    }
    c.arn = Arn(c.name);
    c.generation = 1;
    LambdaResult<FunctionConfig> out = Install(c, zip, /*is_new=*/true);
    if (!out.ok()) return out;
    WarnDeprecated(c.runtime);
    FunctionConfig shown = *out;
    shown.state = "Pending";  // as Lambda answers CreateFunction; Active once read back
    return shown;
  }

  LambdaResult<FunctionConfig> Get(std::string_view name, std::string_view qualifier) override {
    ASSIGN_OR_RETURN_L(FunctionRef ref, Resolve(name, qualifier));
    const MutexLock lock(mu_);
    auto it = functions_.find(ref.name);
    if (it == functions_.end()) return NotFound(ref);
    return it->second;
  }

  LambdaResult<ListPage> List(std::string_view marker, int64_t max_items) override {
    if (max_items < 1 || max_items > 10000) {
      return Fail(LambdaError::kValidation,
                  "1 validation error detected: Value '" + std::to_string(max_items) +
                      "' at 'maxItems' failed to satisfy constraint: Member must have value " +
                      (max_items < 1 ? "greater than or equal to 1" : "less than or equal to 10000"));
    }
    const MutexLock lock(mu_);
    ListPage page;
    auto it = marker.empty() ? functions_.begin() : functions_.lower_bound(std::string(marker));
    for (; it != functions_.end(); ++it) {
      if (static_cast<int64_t>(page.functions.size()) == max_items) {
        page.next_marker = it->first;
        break;
      }
      page.functions.push_back(it->second);
    }
    return page;
  }

  LambdaResult<Done> Delete(std::string_view name, std::string_view qualifier) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionRef ref, Resolve(name, qualifier));
    {
      const MutexLock lock(mu_);
      if (functions_.count(ref.name) == 0) return NotFound(ref);
    }
    if (const Status st = catalog::RemoveFunction(catalog_, ref.name); !st.ok()) {
      return Fail(LambdaError::kService, st.message());
    }
    {
      const MutexLock lock(mu_);
      functions_.erase(ref.name);
      specs_.erase(ref.name);
    }
    pool_.Retire(ref.name);
    RemoveTree(PackageRoot(ref.name));
    return Done{};
  }

  LambdaResult<FunctionConfig> UpdateCode(std::string_view name, CodeSource code,
                                          std::optional<std::string> revision_id) override {
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, Current(name, revision_id));
    ASSIGN_OR_RETURN_L(std::string zip, ReadCode(code));
    c.generation += 1;
    ASSIGN_OR_RETURN_L(FunctionConfig out, Install(c, zip, /*is_new=*/false));
    out.last_update_status = "InProgress";  // as Lambda answers; Successful once read back
    return out;
  }

  LambdaResult<FunctionConfig> UpdateConfig(std::string_view name, ConfigUpdate u) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, Current(name, u.revision_id));
    if (u.runtime) {
      if (auto e = CheckRuntime(*u.runtime)) return *e;
      c.runtime = *u.runtime;
    }
    if (u.handler) c.handler = *u.handler;
    if (u.role) c.role = *u.role;
    if (u.description) c.description = *u.description;
    if (u.timeout_s) c.timeout_s = *u.timeout_s;
    if (u.memory_mb) c.memory_mb = *u.memory_mb;
    if (u.environment) c.environment = *u.environment;
    if (auto e = CheckCommon(c)) return *e;
    c.generation += 1;
    ASSIGN_OR_RETURN_L(FunctionConfig out, Commit(std::move(c)));
    if (u.runtime) WarnDeprecated(*u.runtime);
    out.last_update_status = "InProgress";
    return out;
  }

  LambdaResult<std::string> AddPermission(std::string_view name, Permission p) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, Current(name, p.revision_id));
    nlohmann::json policy = c.policy.empty()
                                ? nlohmann::json{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", nlohmann::json::array()}}
                                : nlohmann::json::parse(c.policy);
    for (const auto& s : policy["Statement"]) {
      if (s.value("Sid", "") == p.statement_id) {
        return Fail(LambdaError::kResourceConflict,
                    "The statement id (" + p.statement_id +
                        ") provided already exists. Please choose a new statement id, or remove the existing statement.");
      }
    }
    nlohmann::json principal;
    if (p.principal == "*") {
      principal = "*";
    } else if (p.principal.find(".amazonaws.com") != std::string::npos) {
      principal = {{"Service", p.principal}};
    } else if (p.principal.size() == 12) {
      principal = {{"AWS", "arn:aws:iam::" + p.principal + ":root"}};
    } else {
      principal = {{"AWS", p.principal}};
    }
    nlohmann::json statement = {{"Sid", p.statement_id},
                                {"Effect", "Allow"},
                                {"Principal", principal},
                                {"Action", p.action},
                                {"Resource", c.arn}};
    if (!p.source_arn.empty()) statement["Condition"]["ArnLike"]["AWS:SourceArn"] = p.source_arn;
    if (!p.source_account.empty()) statement["Condition"]["StringEquals"]["AWS:SourceAccount"] = p.source_account;
    policy["Statement"].push_back(statement);
    c.policy = policy.dump();
    ASSIGN_OR_RETURN_L(FunctionConfig out, Commit(std::move(c)));
    return statement.dump();
  }

  LambdaResult<Done> RemovePermission(std::string_view name, std::string_view statement_id,
                                      std::optional<std::string> revision_id) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, Current(name, revision_id));
    if (c.policy.empty()) {
      return Fail(LambdaError::kResourceNotFound, "No policy is associated with the given resource.");
    }
    nlohmann::json policy = nlohmann::json::parse(c.policy);
    auto& statements = policy["Statement"];
    bool found = false;
    for (auto it = statements.begin(); it != statements.end(); ++it) {
      if (it->value("Sid", "") == statement_id) {
        statements.erase(it);
        found = true;
        break;
      }
    }
    if (!found) {
      return Fail(LambdaError::kResourceNotFound,
                  "Statement " + std::string(statement_id) + " is not found in resource policy.");
    }
    c.policy = statements.empty() ? "" : policy.dump();
    ASSIGN_OR_RETURN_L(FunctionConfig out, Commit(std::move(c)));
    return Done{};
  }

  LambdaResult<Done> PutConcurrency(std::string_view name, std::optional<int64_t> reserved) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, Current(name, std::nullopt));
    if (reserved && (*reserved < 0 || *reserved > options_.max_processes)) {
      return Fail(LambdaError::kInvalidParameterValue,
                  "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
                  "below its minimum value of [0].");
    }
    c.reserved_concurrency = reserved;
    c.generation += 1;
    ASSIGN_OR_RETURN_L(FunctionConfig out, Commit(std::move(c)));
    return Done{};
  }

  LambdaResult<std::map<std::string, std::string>> ListTags(std::string_view arn) override {
    ASSIGN_OR_RETURN_L(FunctionConfig c, ByArn(arn));
    return c.tags;
  }

  LambdaResult<Done> TagResource(std::string_view arn, const std::map<std::string, std::string>& tags) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, ByArn(arn));
    for (const auto& [k, v] : tags) c.tags[k] = v;
    ASSIGN_OR_RETURN_L(FunctionConfig out, Commit(std::move(c)));
    return Done{};
  }

  LambdaResult<Done> UntagResource(std::string_view arn, const std::vector<std::string>& keys) override {
    // Changes apply one at a time: each reads the current configuration and writes the next.
    const MutexLock write(write_mu_);
    ASSIGN_OR_RETURN_L(FunctionConfig c, ByArn(arn));
    for (const std::string& k : keys) c.tags.erase(k);
    ASSIGN_OR_RETURN_L(FunctionConfig out, Commit(std::move(c)));
    return Done{};
  }

  void Invoke(std::string_view name, std::string_view qualifier, InvocationType type, std::string payload,
              InvokeDone done) override {
    LambdaResult<FunctionRef> ref = Resolve(name, qualifier);
    if (!ref.ok()) return done(ref.error());
    std::optional<FunctionConfig> config;
    std::shared_ptr<const LaunchSpec> spec;
    std::string endpoint;
    {
      const MutexLock lock(mu_);
      auto it = functions_.find(ref->name);
      if (it != functions_.end()) {
        config = it->second;
        auto cached = specs_.find(ref->name);
        if (cached != specs_.end() && cached->second->generation == config->generation) spec = cached->second;
      }
      endpoint = endpoint_url_;
    }
    if (!config) return done(NotFound(*ref));
    if (type == InvocationType::kDryRun) return done(InvokeResult{});
    if (!BuiltinNameFromHandler(config->handler).empty()) {
      return RunBuiltin(*config, type, payload, Measured(config->name, std::move(done)));
    }
    if (!spec) {
      // Built outside the lock: the first python function probes interpreters.
      LambdaResult<std::shared_ptr<const LaunchSpec>> s = BuildSpec(*config, endpoint);
      if (!s.ok()) return done(s.error());
      spec = *s;
      const MutexLock lock(mu_);
      auto it = functions_.find(ref->name);
      if (it != functions_.end() && it->second.generation == spec->generation) specs_[ref->name] = spec;
    }
    const std::string request_id = Uuid();
    if (type == InvocationType::kEvent) {
      // Queued: the caller is answered now; the outcome goes only to the function's log.
      pool_.Invoke(spec, request_id, std::move(payload),
                   Measured(spec->function_name, [name = spec->function_name](LambdaResult<InvokeResult> r) {
                     if (!r.ok()) {
                       spdlog::warn("msg=\"asynchronous invocation not run\" function={} error={}", name,
                                    r.error().message);
                     }
                   }));
      return done(InvokeResult{});
    }
    pool_.Invoke(spec, request_id, std::move(payload), Measured(spec->function_name, std::move(done)));
  }

  // `done`, reporting the invocation's metrics first (it starts now).
  InvokeDone Measured(const std::string& name, InvokeDone done) {
    metrics_.Started(name);
    return [this, name, start = std::chrono::steady_clock::now(), done = std::move(done)](
               LambdaResult<InvokeResult> r) mutable {
      if (!r.ok() && r.error().code == LambdaError::kTooManyRequests) {
        metrics_.Throttled(name);
      } else {
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        metrics_.Finished(name, ms, !r.ok() || r->function_error);
      }
      done(std::move(r));
    };
  }

  Expected<InvokeOutcome, InvokeError> Invoke(const InvokeRequest& request) override {
    std::promise<LambdaResult<InvokeResult>> promise;
    Invoke(request.function, "", InvocationType::kRequestResponse, request.payload,
           [&promise](LambdaResult<InvokeResult> r) { promise.set_value(std::move(r)); });
    LambdaResult<InvokeResult> r = promise.get_future().get();
    if (!r.ok()) return InvokeError{ToInvokeError(r.error().code), r.error().message};
    InvokeOutcome out;
    out.function_error = r->function_error ? FunctionError::kUnhandled : FunctionError::kNone;
    out.payload = std::move(r->payload);
    if (auto ref = ParseFunctionRef(request.function)) out.function_arn = Arn(ref->name);
    return out;
  }

  Expected<ResolvedFunction, InvokeError> Resolve(std::string_view function) override {
    LambdaResult<FunctionConfig> c = Get(function, "");
    if (!c.ok()) return InvokeError{ToInvokeError(c.error().code), c.error().message};
    return ResolvedFunction{c->name, c->arn, c->handler, c->role, c->environment, c->memory_mb};
  }

 private:
  static InvokeErrorType ToInvokeError(LambdaError e) {
    switch (e) {
      case LambdaError::kResourceNotFound: return InvokeErrorType::kResourceNotFound;
      case LambdaError::kTooManyRequests: return InvokeErrorType::kTooManyRequests;
      case LambdaError::kRequestTooLarge: return InvokeErrorType::kRequestTooLarge;
      case LambdaError::kInvalidRequestContent: return InvokeErrorType::kInvalidRequestContent;
      case LambdaError::kInvalidParameterValue: return InvokeErrorType::kInvalidRuntime;
      default: return InvokeErrorType::kService;
    }
  }

  // A `sluice.builtin.<name>` handler: runs in process on the calling thread (a front
  // end's pool or a mapping's poller), no runtime process.
  void RunBuiltin(const FunctionConfig& c, InvocationType type, const std::string& payload, InvokeDone done) {
    const int64_t started = Clock::Real().NowMillis();
    BuiltinEnv env;
    env.variables = c.environment;
    env.store = &objects_;
    env.sink = options_.sink;
    env.registry = &options_.metrics.get();
    env.function_name = c.name;
    auto builtin = MakeBuiltin(BuiltinNameFromHandler(c.handler), std::move(env));
    InvokeOutcome out = builtin.ok() ? (*builtin)->HandleEvent(payload)
                                     : internal::FunctionFailure("Runtime.InvalidEntrypoint", builtin.error().message);
    const std::string log = builtin_log_.Write(c.name, c.memory_mb, started, out);
    InvokeResult result;
    result.log_tail = log.size() > kLogTailBytes ? log.substr(log.size() - kLogTailBytes) : log;
    result.function_error = out.function_error != FunctionError::kNone;
    result.payload = std::move(out.payload);
    if (type == InvocationType::kEvent) {
      if (result.function_error) {
        spdlog::warn("msg=\"asynchronous invocation failed\" function={} error={}", c.name, result.payload);
      }
      return done(InvokeResult{});
    }
    done(std::move(result));
  }

  std::string Arn(const std::string& name) const {
    return "arn:aws:lambda:" + options_.region + ":" + options_.account + ":function:" + name;
  }
  std::string PackageRoot(const std::string& name) const { return options_.dir + "/packages/" + name; }
  std::string PackageDir(const FunctionConfig& c) const {
    return PackageRoot(c.name) + "/" + std::to_string(c.package);
  }

  LambdaFailure NotFound(const FunctionRef& ref) const {
    std::string arn = Arn(ref.name);
    if (!ref.qualifier.empty()) arn += ":" + ref.qualifier;
    return Fail(LambdaError::kResourceNotFound, "Function not found: " + arn);
  }

  LambdaResult<FunctionRef> Resolve(std::string_view name, std::string_view qualifier) const {
    if (auto e = CheckFunctionName(name)) return *e;
    FunctionRef ref = *ParseFunctionRef(name);
    if (!qualifier.empty()) {
      if (!ref.qualifier.empty() && ref.qualifier != qualifier) {
        return Fail(LambdaError::kInvalidParameterValue,
                    "The derived qualifier from the function name does not match the specified qualifier.");
      }
      ref.qualifier = std::string(qualifier);
    }
    if (!ref.qualifier.empty() && ref.qualifier != "$LATEST") return NotFound(ref);
    return ref;
  }

  LambdaResult<FunctionConfig> ByArn(std::string_view arn) {
    std::optional<FunctionRef> ref = ParseFunctionRef(arn);
    if (!arn.starts_with("arn:") || !ref) {
      return Fail(LambdaError::kValidation,
                  "1 validation error detected: Value '" + std::string(arn) +
                      "' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                      "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
    }
    return Current(ref->name, std::nullopt);
  }

  LambdaResult<FunctionConfig> Current(std::string_view name, const std::optional<std::string>& revision_id) {
    ASSIGN_OR_RETURN_L(FunctionRef ref, Resolve(name, ""));
    const MutexLock lock(mu_);
    auto it = functions_.find(ref.name);
    if (it == functions_.end()) return NotFound(ref);
    if (revision_id && *revision_id != it->second.revision_id) {
      return Fail(LambdaError::kPreconditionFailed,
                  "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API "
                  "to retrieve the latest Revision Id");
    }
    return it->second;
  }

  std::optional<LambdaFailure> CheckRuntime(const std::string& runtime) const {
    const RuntimeInfo* info = FindRuntime(runtime);
    if (info == nullptr) {
      return Fail(LambdaError::kValidation, "1 validation error detected: Value '" + runtime +
                                                "' at 'runtime' failed to satisfy constraint: Member must satisfy "
                                                "enum value set: " +
                                                RuntimeEnumText() + " or be a valid ARN");
    }
    if (info->kind == RuntimeKind::kUnsupported) {
      return Fail(LambdaError::kInvalidParameterValue,
                  "The runtime parameter of " + runtime +
                      " is not supported by sluice: it runs python3.x, nodejs and provided runtimes.");
    }
    if (info->deprecated && options_.strict_runtimes) {
      return Fail(LambdaError::kInvalidParameterValue,
                  "The runtime parameter of " + runtime +
                      " is no longer supported for creating or updating AWS Lambda functions. We recommend you use "
                      "the new runtime (" +
                      std::string(CurrentRuntime(info->kind)) + ") while creating or updating functions.");
    }
    return std::nullopt;
  }

  void WarnDeprecated(const std::string& runtime) {
    const RuntimeInfo* info = FindRuntime(runtime);
    if (info == nullptr || !info->deprecated) return;
    const MutexLock lock(mu_);
    if (!warned_.insert(runtime).second) return;
    spdlog::warn(
        "msg=\"runtime {} is deprecated: AWS refuses to create functions on it (--strict-runtimes does too); "
        "use {}\"",
        runtime, CurrentRuntime(info->kind));
  }

  std::optional<LambdaFailure> CheckCommon(const FunctionConfig& c) const {
    if (auto e = CheckHandler(c.handler)) return e;
    if (auto e = CheckRole(c.role)) return e;
    if (auto e = CheckTimeout(c.timeout_s)) return e;
    if (auto e = CheckMemory(c.memory_mb)) return e;
    if (auto e = CheckDescription(c.description)) return e;
    if (auto e = CheckEnvironment(c.environment)) return e;
    return std::nullopt;
  }

  LambdaResult<std::string> ReadCode(const CodeSource& code) {
    if (code.zip) return *code.zip;
    if (code.s3_bucket.empty() || code.s3_key.empty()) {
      return Fail(LambdaError::kInvalidParameterValue, "Please provide a source for function code.");
    }
    auto got = objects_.Get(code.s3_bucket, code.s3_key);
    if (!got.ok()) {
      const bool no_bucket = got.error().code == objects::S3Error::kNoSuchBucket;
      return Fail(LambdaError::kInvalidParameterValue,
                  no_bucket ? "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
                              "specified bucket does not exist"
                            : "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
                              "specified key does not exist.");
    }
    return std::move(got->data);
  }

  // Unpacks the package for c's generation and commits the configuration.
  LambdaResult<FunctionConfig> Install(FunctionConfig c, const std::string& zip, bool is_new) {
    c.package = c.generation;
    const std::string dir = PackageDir(c);
    RemoveTree(dir);  // a leftover of a crash between unpack and commit
    if (auto r = UnpackZip(zip, dir); !r.ok()) {
      if (is_new) RemoveTree(PackageRoot(c.name));
      return r.error();
    }
    c.code_sha256 = CodeSha256(zip);
    c.code_size = static_cast<int64_t>(zip.size());
    LambdaResult<FunctionConfig> out = Commit(std::move(c));
    if (!out.ok()) {
      RemoveTree(dir);
      return out;
    }
    // The previous package: its processes are retired; the tree can go (a process still
    // running from it keeps its open files).
    if (!is_new) RemoveOlderPackages(out->name, out->package);
    return out;
  }

  void RemoveOlderPackages(const std::string& name, int64_t keep) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(PackageRoot(name), ec)) {
      if (entry.path().filename() != std::to_string(keep)) RemoveTree(entry.path().string());
    }
  }

  LambdaResult<FunctionConfig> Commit(FunctionConfig c) {
    c.last_modified = Timestamp();
    c.revision_id = Uuid();
    if (const Status st = catalog::PutFunction(catalog_, {c.name, ConfigToStored(c), NowMs()}); !st.ok()) {
      return Fail(LambdaError::kService, st.message());
    }
    bool changed = false;
    {
      const MutexLock lock(mu_);
      auto it = functions_.find(c.name);
      changed = it != functions_.end() && it->second.generation != c.generation;
      functions_[c.name] = c;
      if (changed) specs_.erase(c.name);
    }
    if (changed) pool_.Retire(c.name);
    return c;
  }

  std::string PythonInterpreter() {
    std::call_once(python_once_, [this] {
      if (!options_.python.empty()) {
        python_ = options_.python;
      } else {
        for (const std::string& candidate : {OnPath("python3"), std::string("/usr/bin/python3"),
                                             std::string("/usr/local/bin/python3")}) {
          if (candidate.empty()) continue;
          // The interpreter itself, not the wrapper that may start it (a version
          // manager's shim is a shell script costing ~100 ms per cold start): same
          // interpreter, same site-packages.
          std::string out;
          if (RunQuiet({candidate, "-c", "import boto3, sys; print(sys.executable)"}, &out) == 0) {
            while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
            // The last line: an import may warn on stderr first.
            if (const size_t nl = out.rfind('\n'); nl != std::string::npos) out.erase(0, nl + 1);
            python_ = !out.empty() && out.front() == '/' && access(out.c_str(), X_OK) == 0 ? out : candidate;
            break;
          }
        }
        if (python_.empty()) {
          python_ = OnPath("python3");
          spdlog::warn("msg=\"no python3 with boto3 found; python functions run on {} without it\"", python_);
        }
      }
      spdlog::info("msg=\"python3.x runtimes run on {}\"", python_);
    });
    return python_;
  }

  LambdaResult<std::shared_ptr<const LaunchSpec>> BuildSpec(const FunctionConfig& c, const std::string& endpoint) {
    const RuntimeInfo* info = FindRuntime(c.runtime);
    auto spec = std::make_shared<LaunchSpec>();
    spec->function_name = c.name;
    spec->function_arn = c.arn;
    spec->generation = c.generation;
    spec->timeout_ms = c.timeout_s * 1000;
    spec->memory_mb = c.memory_mb;
    spec->reserved_concurrency = c.reserved_concurrency;
    spec->logs = options_.logs;
    spec->log_group = "/aws/lambda/" + c.name;
    const std::string task_root = PackageDir(c);
    SpawnSpec& s = spec->spawn;
    s.cwd = task_root;
    const uint64_t memory = static_cast<uint64_t>(c.memory_mb) << 20;
    switch (info != nullptr ? info->kind : RuntimeKind::kUnsupported) {
      case RuntimeKind::kPython:
        s.argv = {PythonInterpreter(), options_.dir + "/runtime/bootstrap.py"};
        s.address_space_bytes = memory;
        break;
      case RuntimeKind::kNode:
        // V8 reserves far more address space than it uses, so Node is bounded by its
        // heap size instead of an address-space limit.
        s.argv = {OnPath("node").empty() ? "node" : OnPath("node"),
                  "--max-old-space-size=" + std::to_string(c.memory_mb), options_.dir + "/runtime/node_runtime.js"};
        break;
      case RuntimeKind::kProvided:
        s.argv = {task_root + "/bootstrap"};
        s.address_space_bytes = memory;
        break;
      case RuntimeKind::kUnsupported:
        return Fail(LambdaError::kInvalidParameterValue, "The runtime parameter of " + c.runtime + " is not supported");
    }
    const char* path = std::getenv("PATH");
    const char* ld = std::getenv("LD_LIBRARY_PATH");
    const char* home = std::getenv("HOME");
    auto env_or = [](const char* name, const char* fallback) {
      const char* v = std::getenv(name);
      return std::string(v != nullptr && *v != '\0' ? v : fallback);
    };
    s.env = {
        "PATH=" + std::string(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin"),
        "LANG=C.UTF-8",
        "TZ=:UTC",
        "HOME=" + std::string(home != nullptr ? home : "/tmp"),
        "_HANDLER=" + c.handler,
        "LAMBDA_TASK_ROOT=" + task_root,
        "LAMBDA_RUNTIME_DIR=" + options_.dir + "/runtime",
        "AWS_EXECUTION_ENV=AWS_Lambda_" + c.runtime,
        "AWS_LAMBDA_FUNCTION_NAME=" + c.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + std::to_string(c.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + c.name,
        "AWS_REGION=" + options_.region,
        "AWS_DEFAULT_REGION=" + options_.region,
        "AWS_ACCESS_KEY_ID=" + env_or("AWS_ACCESS_KEY_ID", "test"),
        "AWS_SECRET_ACCESS_KEY=" + env_or("AWS_SECRET_ACCESS_KEY", "test"),
        "PYTHONUNBUFFERED=1",
    };
    if (ld != nullptr) s.env.push_back("LD_LIBRARY_PATH=" + std::string(ld));
    if (const char* token = std::getenv("AWS_SESSION_TOKEN")) s.env.push_back("AWS_SESSION_TOKEN=" + std::string(token));
    if (!endpoint.empty()) s.env.push_back("AWS_ENDPOINT_URL=" + endpoint);
    for (const auto& [k, v] : c.environment) {
      // The user's variables come last and win over sluice's defaults (AWS_ENDPOINT_URL).
      std::erase_if(s.env, [&k](const std::string& e) { return e.starts_with(k + "="); });
      s.env.push_back(k + "=" + v);
    }
    return std::shared_ptr<const LaunchSpec>(spec);
  }

#undef ASSIGN_OR_RETURN_L

  const FunctionManagerOptions options_;
  catalog::Catalog& catalog_;
  objects::ObjectStore& objects_;
  LambdaMetrics metrics_{options_.metrics.get()};  // outlives the pool: its callbacks report here
  internal::BuiltinLog builtin_log_{options_.logs, Clock::Real()};
  ProcessPool pool_;
  Mutex write_mu_ ACQUIRED_BEFORE(mu_);
  std::once_flag python_once_;
  std::string python_;
  Mutex mu_;
  std::map<std::string, FunctionConfig, std::less<>> functions_ GUARDED_BY(mu_);
  std::string endpoint_url_ GUARDED_BY(mu_);
  std::set<std::string> warned_ GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const LaunchSpec>, std::less<>> specs_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<FunctionManager>> FunctionManager::Open(const FunctionManagerOptions& options,
                                                               catalog::Catalog& catalog,
                                                               objects::ObjectStore& objects) {
  FunctionManagerOptions o = options;
  // Processes start in their package directory: every path they are given is absolute.
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(o.dir, ec);
  if (ec) return Status::IOError("cannot resolve " + o.dir + ": " + ec.message());
  o.dir = absolute.lexically_normal().string();
  auto manager = std::make_unique<Manager>(std::move(o), catalog, objects);
  RETURN_IF_ERROR(manager->Load());
  return std::unique_ptr<FunctionManager>(std::move(manager));
}

}  // namespace sluice::functions
