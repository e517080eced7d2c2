// Prometheus text exposition (internal/prometheus.h).
#include "prometheus.h"

#include <charconv>
#include <cmath>
#include <map>

namespace sluice::metrics::internal {
namespace {

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

void AppendLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// {stream_name="s",quantile="0.5"}, or nothing when there are no labels.
std::string Labels(const MetricId& id, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  std::string out;
  auto add = [&](std::string_view name, std::string_view value) {
    out += out.empty() ? "{" : ",";
    out += name;
    out += "=\"";
    AppendLabelValue(out, value);
    out += '"';
  };
  for (const Dimension& d : id.dimensions) {
    std::string name = SnakeCase(d.name);
    if (name.empty() || IsDigit(name[0])) name = "_" + name;
    add(name, d.value);
  }
  if (!extra_name.empty()) add(extra_name, extra_value);
  if (!out.empty()) out += '}';
  return out;
}

}  // namespace

std::string SnakeCase(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (IsUpper(c)) {
      const char prev = i > 0 ? name[i - 1] : '\0';
      const char next = i + 1 < name.size() ? name[i + 1] : '\0';
      const bool boundary = IsLower(prev) || IsDigit(prev) || (IsUpper(prev) && IsLower(next));
      if (boundary && !out.empty() && out.back() != '_') out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else if (IsLower(c) || IsDigit(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string RenderPrometheus(const std::vector<PromSeries>& series) {
  // One family per metric name, its TYPE line once, its series together.
  std::map<std::string, std::vector<const PromSeries*>> families;
  for (const PromSeries& s : series) {
    families["sluice_" + SnakeCase(s.id->ns) + "_" + SnakeCase(s.id->name)].push_back(&s);
  }
  std::string out;
  for (const auto& [name, members] : families) {
    const PromSeries& first = *members.front();
    const bool counter = first.counter;
    // HELP text escapes only backslash and newline (the format's rule).
    std::string help = first.id->ns + " " + first.id->name + " (" + std::string(UnitName(first.unit)) + ")";
    out += "# HELP " + name + " ";
    for (char c : help) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '\n';
    out += "# TYPE " + name + (counter ? " counter\n" : " summary\n");
    for (const PromSeries* s : members) {
      const Aggregate& a = *s->total;
      if (counter) {
        out += name + Labels(*s->id) + " " + Number(a.stats.sum) + "\n";
        continue;
      }
      if (a.has_histogram) {
        for (const char* q : {"0.5", "0.9", "0.99"}) {
          const double p = std::strtod(q, nullptr) * 100;
          const double v = a.Compute(Statistic{Statistic::kPercentile, p});
          out += name + Labels(*s->id, "quantile", q) + " " + Number(v) + "\n";
        }
      }
      out += name + "_sum" + Labels(*s->id) + " " + Number(a.stats.sum) + "\n";
      out += name + "_count" + Labels(*s->id) + " " + Number(a.stats.sample_count) + "\n";
    }
  }
  return out;
}

}  // namespace sluice::metrics::internal
