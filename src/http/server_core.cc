#include "internal/server_core.h"

#include <vector>

#include <spdlog/spdlog.h>

namespace sluice::http {

uint64_t ServerCore::Register(std::weak_ptr<Connection> conn) {
  std::shared_ptr<Connection> drain_now;
  uint64_t id;
  {
    MutexLock lock(mu_);
    id = next_id_++;
    conns_.emplace(id, conn);
    if (draining_) drain_now = conn.lock();
  }
  if (drain_now) drain_now->Drain();
  return id;
}

void ServerCore::Unregister(uint64_t id) {
  std::function<void()> idle;
  {
    MutexLock lock(mu_);
    conns_.erase(id);
    if (draining_ && conns_.empty()) idle = std::exchange(on_idle_, nullptr);
  }
  if (idle) idle();
}

void ServerCore::DrainAll(std::function<void()> on_idle) {
  std::vector<std::shared_ptr<Connection>> live;
  std::function<void()> idle;
  {
    MutexLock lock(mu_);
    draining_ = true;
    on_idle_ = std::move(on_idle);
    for (auto& [id, weak] : conns_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
    if (conns_.empty()) idle = std::exchange(on_idle_, nullptr);
  }
  for (auto& c : live) c->Drain();
  if (idle) idle();
}

void ServerCore::CutAll() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    MutexLock lock(mu_);
    for (auto& [id, weak] : conns_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->Cut();
}

Response TransportError(int status, std::string_view message) {
  return Response::Text(status, std::string(message) + "\n");
}

void LogException(std::string_view where, std::string_view remote, std::string_view what) {
  spdlog::error("msg=\"exception in request handling; connection closed\" where={} remote={} error=\"{}\"",
                where, remote, what);
}

}  // namespace sluice::http
