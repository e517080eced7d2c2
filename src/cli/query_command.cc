#include "cli/query_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "base/clock.h"
#include "query/query.h"

namespace sluice::cli {
namespace {

struct QueryOptions {
  std::string sql;
  std::string file;
  std::string endpoint;
  std::string region;
  std::string profile;
  std::string database = "default";
  std::string output_location = "s3://sluice-query-results/";
  QueryFormat format = QueryFormat::kTable;
  int64_t timeout_s = 3600;
};

struct Client {
  aws::HttpClient http;
  std::string endpoint;
  std::string region;
  aws::Credentials credentials;
  bool configured_endpoint = false;  // --endpoint or the environment/profile named one

  // One signed request; the answer's status and body.
  Result<aws::HttpResponse> Send(aws::HttpRequest req, std::string_view service, bool s3) {
    req.endpoint = endpoint;
    aws::SigningScope scope{.region = region, .service = std::string(service)};
    if (s3) {
      scope.path = aws::PathCanonicalization::kAsIs;
      scope.add_content_sha256_header = true;
    }
    RETURN_IF_ERROR(aws::SignRequest(req, credentials, scope, Clock::Real().NowMillis() / 1000));
    auto r = http.Send(req);
    if (!r.ok()) return r.error().ToStatus();
    return std::move(*r);
  }

  Result<nlohmann::json> Athena(std::string_view action, const nlohmann::json& body) {
    aws::HttpRequest req;
    req.method = "POST";
    req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                   {"X-Amz-Target", "AmazonAthena." + std::string(action)}};
    req.body = body.dump();
    ASSIGN_OR_RETURN(const aws::HttpResponse r, Send(std::move(req), "athena", false));
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 200) {
      std::string type = j.is_object() ? j.value("__type", "") : "";
      std::string msg = j.is_object() ? j.value("Message", j.value("message", r.body)) : r.body;
      return Status::InvalidArgument(type.substr(type.find('#') + 1) + ": " + msg);
    }
    if (j.is_discarded()) return Status::Internal("the server's answer is not JSON");
    return j;
  }
};

Status Connect(const QueryOptions& o, std::unique_ptr<Client>& out) {
  ASSIGN_OR_RETURN(aws::ClientTarget target,
                   aws::ResolveClientTarget({"Athena", "athena", o.endpoint, {.profile = o.profile, .region = o.region}},
                                            aws::RealEnv()));
  out = std::make_unique<Client>();
  out->credentials = std::move(target.credentials);
  out->region = std::move(target.region);
  out->endpoint = std::move(target.endpoint);
  out->configured_endpoint = target.configured_endpoint;
  return Status::OK();
}

// The results bucket must exist before a statement can write there.
Status EnsureResultsBucket(Client& c, const std::string& location) {
  if (!location.starts_with("s3://")) return Status::InvalidArgument("--output-location must be s3://bucket/prefix/");
  const std::string bucket = location.substr(5, location.find('/', 5) - 5);
  aws::HttpRequest req;
  req.method = "PUT";
  req.path = "/" + bucket;
  ASSIGN_OR_RETURN(const aws::HttpResponse r, c.Send(std::move(req), "s3", true));
  if (r.status == 200 || r.body.find("BucketAlreadyOwnedByYou") != std::string::npos) return Status::OK();
  return Status::IOError("cannot create the results bucket " + bucket + " (HTTP " + std::to_string(r.status) + ")");
}

std::string Human(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else if (bytes < (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else if (bytes < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1 << 30));
  }
  return buf;
}

struct Outcome {
  nlohmann::json execution;
  std::string id;
};

// Starts one statement and waits for it, drawing a progress line on stderr after a second.
Result<Outcome> RunOne(Client& c, const QueryOptions& o, const std::string& statement) {
  ASSIGN_OR_RETURN(const nlohmann::json started,
                   c.Athena("StartQueryExecution",
                            {{"QueryString", statement},
                             {"QueryExecutionContext", {{"Database", o.database}}},
                             {"ResultConfiguration", {{"OutputLocation", o.output_location}}}}));
  Outcome out;
  out.id = started.value("QueryExecutionId", "");
  const auto start = std::chrono::steady_clock::now();
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  bool drew = false;
  auto last_line = start;
  for (;;) {
    ASSIGN_OR_RETURN(const nlohmann::json got, c.Athena("GetQueryExecution", {{"QueryExecutionId", out.id}}));
    out.execution = got["QueryExecution"];
    const std::string state = out.execution["Status"].value("State", "");
    const auto now = std::chrono::steady_clock::now();
    if (state == "SUCCEEDED" || state == "FAILED" || state == "CANCELLED") break;
    if (now - start > std::chrono::seconds(o.timeout_s)) {
      (void)c.Athena("StopQueryExecution", {{"QueryExecutionId", out.id}});
      return Status::Unavailable("stopped after --timeout " + std::to_string(o.timeout_s) + " s");
    }
    if (now - start > std::chrono::seconds(1) && (tty || now - last_line > std::chrono::seconds(5))) {
      const uint64_t scanned = out.execution["Statistics"].value("DataScannedInBytes", uint64_t{0});
      const double secs = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "%s%s %.0f s, %s scanned%s", tty ? "\r" : "", state.c_str(), secs, Human(scanned).c_str(),
                   tty ? "   " : "\n");
      std::fflush(stderr);
      drew = tty;
      last_line = now;
    }
    // Polling is the API's contract: the server answers GetQueryExecution from memory.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (drew) std::fprintf(stderr, "\r%60s\r", "");
  return out;
}

size_t Width(const std::string& s) {
  size_t n = 0;
  for (const unsigned char ch : s) n += (ch & 0xc0) != 0x80;  // code points, not bytes
  return n;
}

int Run(const QueryOptions& o) {
  std::string script = o.sql;
  if (!o.file.empty()) {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "sluice query: cannot read %s\n", o.file.c_str());
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    script = ss.str() + (script.empty() ? "" : ";\n" + script);
  }
  const std::vector<std::string> statements = query::SplitStatements(script);
  if (statements.empty()) {
    std::fprintf(stderr, "sluice query: no SQL given (an argument or -f FILE.sql)\n");
    return 2;
  }
  std::unique_ptr<Client> client;
  if (Status st = Connect(o, client); !st.ok()) {
    std::fprintf(stderr, "sluice query: %s\n", st.message().c_str());
    return 2;
  }
  std::string location = o.output_location;
  if (location.back() != '/') location += '/';
  // A sluice server serves S3 on the same port; on AWS the bucket is the user's to make.
  if (Status st = client->configured_endpoint ? EnsureResultsBucket(*client, location) : Status::OK(); !st.ok()) {
    std::fprintf(stderr, "sluice query: %s\n", st.message().c_str());
    return 1;
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    Result<Outcome> r = RunOne(*client, o, statements[i]);
    if (!r.ok()) {
      std::fprintf(stderr, "sluice query: statement %zu: %s\n", i + 1, r.status().message().c_str());
      return 1;
    }
    const nlohmann::json& status = r->execution["Status"];
    const std::string state = status.value("State", "");
    if (state != "SUCCEEDED") {
      const std::string reason = status.value("StateChangeReason", state);
      std::fprintf(stderr, "sluice query: statement %zu %s: %s\n%s", i + 1, state.c_str(), reason.c_str(),
                   PointAtPosition(statements[i], reason).c_str());
      return 1;
    }
    if (i + 1 < statements.size()) continue;
    std::vector<std::string> header;
    QueryRows rows;
    std::string token;
    bool first = true;
    const bool select = r->execution.value("StatementType", "") == "DML";
    do {
      nlohmann::json req = {{"QueryExecutionId", r->id}, {"MaxResults", 1000}};
      if (!token.empty()) req["NextToken"] = token;
      Result<nlohmann::json> page = client->Athena("GetQueryResults", req);
      if (!page.ok()) {
        std::fprintf(stderr, "sluice query: %s\n", page.status().message().c_str());
        return 1;
      }
      if (first) {
        for (const auto& c : (*page)["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]) header.push_back(c.value("Name", ""));
      }
      bool skip = first && select;  // Athena's header row
      for (const auto& row : (*page)["ResultSet"]["Rows"]) {
        if (skip) {
          skip = false;
          continue;
        }
        std::vector<std::optional<std::string>> cells;
        for (const auto& d : row["Data"]) {
          cells.push_back(d.contains("VarCharValue") ? std::optional<std::string>(d["VarCharValue"].get<std::string>())
                                                     : std::nullopt);
        }
        rows.push_back(std::move(cells));
      }
      first = false;
      token = page->value("NextToken", "");
    } while (!token.empty());
    std::fputs(FormatRows(header, rows, o.format).c_str(), stdout);
    const uint64_t scanned = r->execution["Statistics"].value("DataScannedInBytes", uint64_t{0});
    const int64_t ms = r->execution["Statistics"].value("EngineExecutionTimeInMillis", int64_t{0});
    std::fprintf(stderr, "(%zu row%s, %s scanned, %.3f s)\n", rows.size(), rows.size() == 1 ? "" : "s",
                 Human(scanned).c_str(), static_cast<double>(ms) / 1000);
  }
  return 0;
}

}  // namespace

std::string FormatRows(const std::vector<std::string>& header, const QueryRows& rows, QueryFormat format) {
  std::string out;
  if (format == QueryFormat::kCsv) {
    for (size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + query::CsvField(header[i]);
    out += "\n";
    for (const auto& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + query::CsvField(row[i]);
      out += "\n";
    }
    return out;
  }
  if (format == QueryFormat::kJson) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& row : rows) {
      nlohmann::json obj = nlohmann::json::object();
      for (size_t i = 0; i < row.size() && i < header.size(); ++i) {
        obj[header[i]] = row[i] ? nlohmann::json(*row[i]) : nlohmann::json(nullptr);
      }
      arr.push_back(std::move(obj));
    }
    return arr.dump(2) + "\n";
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = Width(header[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], Width(row[i].value_or("NULL")));
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < cells.size(); ++i) {
      l += (i ? " | " : "") + cells[i];
      if (i + 1 < cells.size()) l += std::string(width[i] - Width(cells[i]), ' ');
    }
    return l + "\n";
  };
  out += line(header);
  std::string rule;
  for (size_t i = 0; i < width.size(); ++i) rule += (i ? "-+-" : "") + std::string(width[i], '-');
  out += rule + "\n";
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) cells.push_back(c.value_or("NULL"));
    out += line(cells);
  }
  return out;
}

std::string PointAtPosition(const std::string& statement, const std::string& message) {
  const size_t at = message.find("line ");
  if (at == std::string::npos) return "";
  size_t line = 0, col = 0;
  size_t i = at + 5;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) line = line * 10 + static_cast<size_t>(message[i++] - '0');
  if (i >= message.size() || message[i] != ':') return "";
  ++i;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i]))) col = col * 10 + static_cast<size_t>(message[i++] - '0');
  if (line == 0 || col == 0) return "";
  std::istringstream in(statement);
  std::string l;
  size_t n = 0;
  while (n < line && std::getline(in, l)) ++n;
  if (n < line || col > l.size() + 1) return "";
  return "  " + l + "\n  " + std::string(col - 1, ' ') + "^\n";
}

void AddQueryCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("query", "Run SQL over the lake through a server's Athena API");
  auto o = std::make_shared<QueryOptions>();
  cmd->add_option("sql", o->sql, "SQL: one or more statements separated by ';' (the last one's rows are printed)");
  cmd->add_option("-f,--file", o->file, "Read the statements from this file (before the SQL argument)");
  cmd->add_option("--endpoint", o->endpoint, "Server URL (default: AWS_ENDPOINT_URL_ATHENA, AWS_ENDPOINT_URL, the "
                  "profile's endpoint settings, else the AWS endpoint of the region)");
  cmd->add_option("--region", o->region, "Region (default: environment or profile)");
  cmd->add_option("--profile", o->profile, "Profile in ~/.aws/credentials and ~/.aws/config");
  cmd->add_option("--database", o->database, "Database for unqualified table names")->capture_default_str();
  cmd->add_option("--output-location", o->output_location,
                  "Where results are written (s3://bucket/prefix/; the bucket is created if missing)")
      ->capture_default_str();
  const std::map<std::string, QueryFormat> formats = {
      {"table", QueryFormat::kTable}, {"csv", QueryFormat::kCsv}, {"json", QueryFormat::kJson}};
  cmd->add_option("--format", o->format, "table, csv (with a header row) or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case))
      ->option_text("table|csv|json");
  cmd->add_option("--timeout", o->timeout_s, "Stop a statement still running after this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  cmd->callback([o] { throw CLI::RuntimeError(Run(*o)); });
}

}  // namespace sluice::cli
