#include "gateway/authenticate.h"

#include <functional>
#include <utility>

#include "awsproto/payload_check.h"

namespace sluice::gateway {
namespace {

using awsproto::AuthFailure;
using awsproto::PayloadCheck;

// Answers with a refusal, reading and dropping whatever body still comes.
class RefusingSink final : public http::BodySink {
 public:
  explicit RefusingSink(http::Response refusal) : refusal_(std::move(refusal)) {}
  void Begin(std::function<void(std::optional<http::Response>)> ready) override { ready(refusal_); }
  bool Write(std::string, std::function<void()>) override { return true; }
  void Finish(http::Responder done) override { done(std::move(refusal_)); }
  void Abort() override {}

 private:
  http::Response refusal_;
};

// Feeds each piece to the check, then to the service's sink. The transport calls
// one method at a time, so the state needs no lock.
class CheckingSink final : public http::BodySink {
 public:
  using Refuse = std::function<http::Response(const AuthFailure&)>;
  CheckingSink(std::shared_ptr<http::BodySink> inner, std::unique_ptr<PayloadCheck> check, Refuse refuse)
      : inner_(std::move(inner)), check_(std::move(check)), refuse_(std::move(refuse)) {}

  void Begin(std::function<void(std::optional<http::Response>)> ready) override { inner_->Begin(std::move(ready)); }

  bool Write(std::string piece, std::function<void()> resume) override {
    if (failure_) return true;
    if ((failure_ = check_->Feed(piece))) {
      inner_->Abort();
      return true;
    }
    return inner_->Write(std::move(piece), std::move(resume));
  }

  void Finish(http::Responder done) override {
    if (!failure_) {
      if (!(failure_ = check_->Finish())) return inner_->Finish(std::move(done));
      inner_->Abort();
    }
    done(refuse_(*failure_));
  }

  void Abort() override {
    if (!failure_) inner_->Abort();
  }

 private:
  const std::shared_ptr<http::BodySink> inner_;
  const std::unique_ptr<PayloadCheck> check_;
  const Refuse refuse_;
  std::optional<AuthFailure> failure_;  // once set, the inner sink has been aborted
};

}  // namespace

std::optional<http::Response> Authenticate(const awsproto::SigV4Verifier& verifier,
                                           const awsproto::Service& service, const http::Request& request) {
  const http::RequestHead& head = request.head;
  auto verified = verifier.Verify(head, service.AuthRulesFor(head), &request.body);
  if (!verified.ok()) return service.AuthFailed(head, verified.error());
  if (!PayloadCheck::Needed(*verified)) return std::nullopt;
  // A buffered aws-chunked body: its chunk signatures, all at once.
  PayloadCheck check(*verified, head.Header("x-amz-trailer"));
  auto failure = check.Feed(request.body);
  if (!failure) failure = check.Finish();
  if (failure) return service.AuthFailed(head, *failure);
  return std::nullopt;
}

std::shared_ptr<http::BodySink> AuthenticatedSink(const awsproto::SigV4Verifier& verifier,
                                                  const awsproto::Service& service, const http::RequestHead& head,
                                                  std::shared_ptr<http::BodySink> inner) {
  auto verified = verifier.Verify(head, service.AuthRulesFor(head), nullptr);
  if (!verified.ok()) {
    inner->Abort();
    return std::make_shared<RefusingSink>(service.AuthFailed(head, verified.error()));
  }
  if (!PayloadCheck::Needed(*verified)) return inner;
  auto check = std::make_unique<PayloadCheck>(*verified, head.Header("x-amz-trailer"));
  return std::make_shared<CheckingSink>(
      std::move(inner), std::move(check),
      [&service, head](const AuthFailure& f) { return service.AuthFailed(head, f); });
}

}  // namespace sluice::gateway
