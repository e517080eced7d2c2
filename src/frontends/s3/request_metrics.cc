// S3 request metrics (internal/request_metrics.h).
#include "internal/request_metrics.h"

#include "internal/request.h"

namespace sluice::frontends::s3 {

using metrics::Unit;

struct RequestMetrics::Bucket {
  Bucket(metrics::Registry& r, const std::string& bucket)
      : all(Count(r, bucket, "AllRequests")),
        get(Count(r, bucket, "GetRequests")),
        put(Count(r, bucket, "PutRequests")),
        head(Count(r, bucket, "HeadRequests")),
        del(Count(r, bucket, "DeleteRequests")),
        list(Count(r, bucket, "ListRequests")),
        post(Count(r, bucket, "PostRequests")),
        downloaded(r.GetCounter(Id(bucket, "BytesDownloaded"), Unit::kBytes)),
        uploaded(r.GetCounter(Id(bucket, "BytesUploaded"), Unit::kBytes)),
        errors_4xx(Count(r, bucket, "4xxErrors")),
        errors_5xx(Count(r, bucket, "5xxErrors")),
        first_byte(r.GetDistribution(Id(bucket, "FirstByteLatency"), Unit::kMilliseconds)),
        total(r.GetDistribution(Id(bucket, "TotalRequestLatency"), Unit::kMilliseconds)) {}

  static metrics::MetricId Id(const std::string& bucket, std::string_view name) {
    return metrics::MakeId("AWS/S3", std::string(name), {{"BucketName", bucket}, {"FilterId", "EntireBucket"}});
  }
  static metrics::Counter& Count(metrics::Registry& r, const std::string& bucket, std::string_view name) {
    return r.GetCounter(Id(bucket, name), Unit::kCount);
  }

  metrics::Counter& all;
  metrics::Counter& get;
  metrics::Counter& put;
  metrics::Counter& head;
  metrics::Counter& del;
  metrics::Counter& list;
  metrics::Counter& post;
  metrics::Counter& downloaded;
  metrics::Counter& uploaded;
  metrics::Counter& errors_4xx;
  metrics::Counter& errors_5xx;
  metrics::Distribution& first_byte;
  metrics::Distribution& total;
};

RequestMetrics::RequestMetrics(metrics::Registry& registry, objects::ObjectStore& store)
    : registry_(registry), store_(store) {}
RequestMetrics::~RequestMetrics() = default;

ClassifiedRequest ClassifyRequest(const http::RequestHead& head) {
  const S3Address addr = ParseS3Address(head);
  ClassifiedRequest out{addr.bucket, RequestKind::kOther};
  if (addr.bucket.empty()) return out;
  const auto query = ParseQuery(head.Query());
  const auto has = [&](const char* name) { return query.count(name) > 0; };
  const std::string& m = head.method;
  if (m == "HEAD") {
    out.kind = RequestKind::kHead;
  } else if (addr.key.empty()) {
    if (m == "GET" && !has("location") && !has("uploads")) out.kind = RequestKind::kList;
    if (m == "POST") out.kind = has("delete") ? RequestKind::kDelete : RequestKind::kPost;
  } else if (m == "GET") {
    out.kind = has("uploadId") ? RequestKind::kOther : RequestKind::kGet;
  } else if (m == "PUT") {
    out.kind = RequestKind::kPut;
  } else if (m == "DELETE") {
    out.kind = RequestKind::kDelete;
  } else if (m == "POST") {
    out.kind = RequestKind::kPost;
  }
  return out;
}

RequestMetrics::Bucket* RequestMetrics::For(const std::string& bucket) {
  {
    MutexLock lock(mu_);
    if (auto it = buckets_.find(bucket); it != buckets_.end()) return it->second.get();
  }
  // First request to this bucket: a stat, outside the lock (this runs on the workers).
  if (!store_.HeadBucket(bucket).ok()) return nullptr;
  MutexLock lock(mu_);
  auto& slot = buckets_[bucket];
  if (!slot) slot = std::make_unique<Bucket>(registry_, bucket);
  return slot.get();
}

void RequestMetrics::Report(const ClassifiedRequest& request, TimePoint seen, TimePoint complete,
                            uint64_t bytes_in, const http::Response& response) {
  if (request.bucket.empty()) return;
  Bucket* found = For(request.bucket);
  if (found == nullptr) return;
  Bucket& b = *found;
  const auto now = std::chrono::steady_clock::now();
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  b.all.Add(1);
  switch (request.kind) {
    case RequestKind::kGet: b.get.Add(1); break;
    case RequestKind::kPut: b.put.Add(1); break;
    case RequestKind::kHead: b.head.Add(1); break;
    case RequestKind::kDelete: b.del.Add(1); break;
    case RequestKind::kList: b.list.Add(1); break;
    case RequestKind::kPost: b.post.Add(1); break;
    case RequestKind::kOther: break;
  }
  if (bytes_in > 0) b.uploaded.Add(static_cast<double>(bytes_in));
  if (request.kind == RequestKind::kGet && response.status / 100 == 2 && response.BodySize() > 0) {
    b.downloaded.Add(static_cast<double>(response.BodySize()));
  }
  b.errors_4xx.Add(response.status / 100 == 4 ? 1 : 0);
  b.errors_5xx.Add(response.status / 100 == 5 ? 1 : 0);
  b.first_byte.Record(ms(now - complete));
  b.total.Record(ms(now - seen));
}

http::Responder RequestMetrics::Wrap(ClassifiedRequest request, TimePoint seen, TimePoint complete,
                                     uint64_t bytes_in, http::Responder done) {
  if (request.bucket.empty()) return done;
  return [this, request = std::move(request), seen, complete, bytes_in,
          done = std::move(done)](http::Response response) {
    Report(request, seen, complete, bytes_in, response);
    done(std::move(response));
  };
}

namespace {

// Counts an upload's body and reports its answer.
class MeteredSink final : public http::BodySink, public std::enable_shared_from_this<MeteredSink> {
 public:
  MeteredSink(RequestMetrics& metrics, ClassifiedRequest request, std::shared_ptr<http::BodySink> inner)
      : metrics_(metrics), request_(std::move(request)), inner_(std::move(inner)),
        seen_(std::chrono::steady_clock::now()) {}

  void Begin(std::function<void(std::optional<http::Response>)> ready) override {
    inner_->Begin([self = shared_from_this(), ready = std::move(ready)](std::optional<http::Response> refusal) {
      if (refusal) self->metrics_.Report(self->request_, self->seen_, self->seen_, 0, *refusal);
      ready(std::move(refusal));
    });
  }
  bool Write(std::string piece, std::function<void()> resume) override {
    bytes_in_ += piece.size();
    return inner_->Write(std::move(piece), std::move(resume));
  }
  void Finish(http::Responder done) override {
    inner_->Finish(metrics_.Wrap(request_, seen_, std::chrono::steady_clock::now(), bytes_in_, std::move(done)));
  }
  void Abort() override { inner_->Abort(); }

 private:
  RequestMetrics& metrics_;
  const ClassifiedRequest request_;
  const std::shared_ptr<http::BodySink> inner_;
  const RequestMetrics::TimePoint seen_;
  uint64_t bytes_in_ = 0;  // Write and Finish are never concurrent (http::BodySink)
};

}  // namespace

std::shared_ptr<http::BodySink> RequestMetrics::Wrap(ClassifiedRequest request,
                                                     std::shared_ptr<http::BodySink> inner) {
  if (request.bucket.empty() || inner == nullptr) return inner;
  return std::make_shared<MeteredSink>(*this, std::move(request), std::move(inner));
}

}  // namespace sluice::frontends::s3
