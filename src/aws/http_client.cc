#include "aws/http_client.h"

#include <curl/curl.h>

#include <mutex>
#include <stdexcept>

namespace sluice::aws {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Exchange {
  HttpResponse* response;
  size_t max_bytes;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * n;
  if (ex->response->body.size() + len > ex->max_bytes) {
    ex->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  ex->response->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue or a redirect) starts a new header set.
    ex->response->headers.clear();
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  ex->response->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return len;
}

TransportErrorCode Classify(CURLcode rc) {
  switch (rc) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return TransportErrorCode::kBadUrl;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportErrorCode::kResolve;
    case CURLE_COULDNT_CONNECT:
      return TransportErrorCode::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorCode::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return TransportErrorCode::kTls;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return TransportErrorCode::kConnectionLost;
    default:
      return TransportErrorCode::kOther;
  }
}

}  // namespace

std::string_view TransportErrorName(TransportErrorCode code) {
  switch (code) {
    case TransportErrorCode::kBadUrl: return "BadUrl";
    case TransportErrorCode::kResolve: return "Resolve";
    case TransportErrorCode::kConnect: return "Connect";
    case TransportErrorCode::kTimeout: return "Timeout";
    case TransportErrorCode::kTls: return "Tls";
    case TransportErrorCode::kConnectionLost: return "ConnectionLost";
    case TransportErrorCode::kResponseTooLarge: return "ResponseTooLarge";
    case TransportErrorCode::kOther: return "Other";
  }
  return "Unknown";
}

bool TransportError::retryable() const {
  switch (code) {
    case TransportErrorCode::kResolve:
    case TransportErrorCode::kConnect:
    case TransportErrorCode::kTimeout:
    case TransportErrorCode::kConnectionLost:
      return true;
    default:
      return false;
  }
}

std::string TransportError::ToString() const {
  return "transport error " + std::string(TransportErrorName(code)) + ": " + message;
}

Status TransportError::ToStatus() const {
  return retryable() ? Status::Unavailable(ToString()) : Status::IOError(ToString());
}

struct HttpClient::Impl {
  HttpClientOptions options;
  std::unique_ptr<CURL, CurlDeleter> curl;
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->options = options;
  impl_->curl.reset(curl_easy_init());
  if (!impl_->curl) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::Send(const HttpRequest& request) {
  CURL* c = impl_->curl.get();
  // Reset clears per-request options but keeps the connection cache: that is the reuse.
  curl_easy_reset(c);

  HttpResponse response;
  Exchange ex{&response, impl_->options.max_response_bytes};
  std::string url = request.endpoint + (request.path.empty() ? "/" : request.path);
  if (!request.query.empty()) url += "?" + request.query;

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) throw std::bad_alloc();
    (void)headers.release();
    headers.reset(next);
  };
  for (const HttpHeader& h : request.headers) append(h.name + ": " + h.value);
  // curl would otherwise wait a second for "100 Continue" on large bodies.
  append("Expect:");
  if (request.FindHeader("content-type") == nullptr) append("Content-Type:");
  if (request.FindHeader("accept") == nullptr) append("Accept:");

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(impl_->options.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->options.request_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, impl_->options.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, impl_->options.verify_tls ? 2L : 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
  if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    if (request.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (ex.too_large) {
      return TransportError{TransportErrorCode::kResponseTooLarge,
                            "response body over " + std::to_string(ex.max_bytes) + " bytes from " + url};
    }
    return TransportError{Classify(rc), std::string(curl_easy_strerror(rc)) + " (" + url + ")"};
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace sluice::aws
