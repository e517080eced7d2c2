#include "gateway/access_log.h"

#include <time.h>

#include <cerrno>
#include <cstdio>

#include "base/logfmt.h"

namespace sluice::gateway {
namespace {

// 2026-05-01T12:00:00.123Z
std::string IsoTime(int64_t ms) {
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

bool EqualsLower(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i] >= 'A' && name[i] <= 'Z' ? static_cast<char>(name[i] - 'A' + 'a') : name[i];
    if (c != lower[i]) return false;
  }
  return true;
}

std::string_view RequestId(const http::Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (EqualsLower(name, "x-amzn-requestid") || EqualsLower(name, "x-amz-request-id")) return value;
  }
  return "-";
}

}  // namespace

Result<std::unique_ptr<AccessLogFile>> AccessLogFile::Open(const std::string& path) {
  if (path == "-") return std::make_unique<AccessLogFile>(stdout, false);
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return Status::FromErrno("open access log", path, errno);
  return std::make_unique<AccessLogFile>(f, true);
}

AccessLogFile::~AccessLogFile() {
  MutexLock lock(mu_);
  if (owned_) {
    std::fclose(file_);
  } else {
    std::fflush(file_);
  }
}

void AccessLogFile::Write(std::string_view line) {
  MutexLock lock(mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

std::string AccessLogLine(const AccessLog::Entry& entry, uint64_t bytes_in, const http::Response& response,
                          int64_t now_ms) {
  std::string line;
  AppendLogfmt(line, "time", IsoTime(now_ms));
  AppendLogfmt(line, "remote", entry.remote);
  AppendLogfmt(line, "method", entry.method);
  AppendLogfmt(line, "target", entry.target);
  AppendLogfmt(line, "status", std::to_string(response.status));
  AppendLogfmt(line, "bytes_in", std::to_string(bytes_in));
  AppendLogfmt(line, "bytes_out", std::to_string(response.BodySize()));
  AppendLogfmt(line, "duration_ms", std::to_string(now_ms - entry.started_ms));
  AppendLogfmt(line, "request_id", RequestId(response));
  AppendLogfmt(line, "service", entry.service);
  return line;
}

// Counts the body as it passes and logs the answer (or the refusal of Begin).
class AccessLog::CountingSink final : public http::BodySink, public std::enable_shared_from_this<CountingSink> {
 public:
  CountingSink(AccessLog& log, Entry entry, std::shared_ptr<http::BodySink> inner)
      : log_(log), entry_(std::move(entry)), inner_(std::move(inner)) {}

  void Begin(std::function<void(std::optional<http::Response>)> ready) override {
    inner_->Begin([self = shared_from_this(), ready = std::move(ready)](std::optional<http::Response> refusal) {
      if (refusal) self->log_.Log(self->entry_, 0, *refusal);
      ready(std::move(refusal));
    });
  }
  bool Write(std::string piece, std::function<void()> resume) override {
    bytes_in_ += piece.size();
    return inner_->Write(std::move(piece), std::move(resume));
  }
  void Finish(http::Responder done) override { inner_->Finish(log_.Logged(entry_, bytes_in_, std::move(done))); }
  void Abort() override { inner_->Abort(); }

 private:
  AccessLog& log_;
  const Entry entry_;
  const std::shared_ptr<http::BodySink> inner_;
  uint64_t bytes_in_ = 0;  // Write and Finish are never concurrent (http::BodySink)
};

AccessLog::AccessLog(http::Handler& inner, AccessLogSink& sink, ServiceOf service_of, const Clock& clock)
    : inner_(inner), sink_(sink), service_of_(std::move(service_of)), clock_(clock) {}

AccessLog::Entry AccessLog::Start(const http::RequestHead& head) const {
  return {head.remote, head.method, head.target, service_of_ ? service_of_(head) : std::string("-"),
          clock_.NowMillis()};
}

http::Responder AccessLog::Logged(Entry entry, uint64_t bytes_in, http::Responder done) {
  return [this, entry = std::move(entry), bytes_in, done = std::move(done)](http::Response response) {
    Log(entry, bytes_in, response);
    done(std::move(response));
  };
}

void AccessLog::Log(const Entry& entry, uint64_t bytes_in, const http::Response& response) {
  sink_.Write(AccessLogLine(entry, bytes_in, response, clock_.NowMillis()));
}

uint64_t AccessLog::BodyLimit(const http::RequestHead& head) const { return inner_.BodyLimit(head); }

void AccessLog::Handle(http::Request request, http::Responder done) {
  Entry entry = Start(request.head);
  const uint64_t bytes_in = request.body.size();
  inner_.Handle(std::move(request), Logged(std::move(entry), bytes_in, std::move(done)));
}

std::shared_ptr<http::BodySink> AccessLog::StreamBody(const http::RequestHead& head) {
  std::shared_ptr<http::BodySink> inner = inner_.StreamBody(head);
  if (!inner) return nullptr;
  return std::make_shared<CountingSink>(*this, Start(head), std::move(inner));
}

http::Response AccessLog::BodyTooLarge(const http::RequestHead& head, uint64_t limit) const {
  return inner_.BodyTooLarge(head, limit);
}

http::Response AccessLog::Overloaded(const http::RequestHead& head) const { return inner_.Overloaded(head); }

}  // namespace sluice::gateway
