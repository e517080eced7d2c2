// A `provided` runtime function in C++ with no dependencies: the package's `bootstrap`
// speaks the Lambda Runtime API over a plain socket and answers each event with
// {"length": <bytes of the event>, "reversed": "<the event's text reversed>"}.
// Build: g++ -std=c++20 -O2 -o bootstrap bootstrap.cc; zip it (mode 0755) as `bootstrap`.
// Works on Lambda (provided.al2023) and on sluice alike.
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Reply {
  std::string headers;
  std::string body;
};

int Connect(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  const int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    close(fd);
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  return fd;
}

// One request on a fresh connection (Connection: close keeps the reader trivial).
bool Http(const std::string& method, const std::string& api, const std::string& path, const std::string& body,
          Reply& reply) {
  const size_t slash = api.find('/');
  const std::string host_port = api.substr(0, slash);
  const std::string prefix = slash == std::string::npos ? "" : api.substr(slash);
  const size_t colon = host_port.find(':');
  const int fd = Connect(host_port.substr(0, colon), host_port.substr(colon + 1));
  if (fd < 0) return false;
  std::string req = method + " " + prefix + "/2018-06-01/runtime" + path + " HTTP/1.1\r\nHost: " + host_port +
                    "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (size_t sent = 0; sent < req.size();) {
    const ssize_t n = write(fd, req.data() + sent, req.size() - sent);
    if (n <= 0) return close(fd), false;
    sent += static_cast<size_t>(n);
  }
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t end = all.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  reply.headers = all.substr(0, end);
  reply.body = all.substr(end + 4);
  return true;
}

std::string Header(const std::string& headers, const std::string& lower_name) {
  size_t at = 0;
  while ((at = headers.find("\r\n", at)) != std::string::npos) {
    at += 2;
    const size_t colon = headers.find(':', at);
    if (colon == std::string::npos) break;
    std::string name = headers.substr(at, colon - at);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == lower_name) {
      const size_t eol = headers.find("\r\n", colon);
      std::string value = headers.substr(colon + 1, eol == std::string::npos ? std::string::npos : eol - colon - 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      return value;
    }
  }
  return "";
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

}  // namespace

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api == nullptr) return 1;
  for (;;) {
    Reply next;
    if (!Http("GET", api, "/invocation/next", "", next)) return 1;
    const std::string id = Header(next.headers, "lambda-runtime-aws-request-id");
    if (id.empty()) return 0;  // not an invocation: the process was retired
    const std::string reversed(next.body.rbegin(), next.body.rend());
    const std::string answer = "{\"length\": " + std::to_string(next.body.size()) + ", \"reversed\": \"" +
                               JsonEscape(reversed) + "\"}";
    Reply ack;
    if (!Http("POST", api, "/invocation/" + id + "/response", answer, ack)) return 1;
  }
}
