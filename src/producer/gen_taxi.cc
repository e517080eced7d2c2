#include "producer/gen_taxi.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "producer/random.h"

namespace sluice::producer {
namespace {

// Porto's centre (Avenida dos Aliados) and a box around the metropolitan area that
// trips stay inside.
constexpr double kCenterLon = -8.6110;
constexpr double kCenterLat = 41.1496;
constexpr double kMinLon = -8.75, kMaxLon = -8.45, kMinLat = 41.05, kMaxLat = 41.30;
constexpr double kMetersPerDegLat = 110574.0;
const double kMetersPerDegLon = 111320.0 * std::cos(kCenterLat * M_PI / 180.0);

constexpr int kStands = 63;         // ORIGIN_STAND values in the real set: 1..63
constexpr int kTaxis = 448;         // distinct TAXI_IDs in the real set
constexpr int kFrequentCallers = 64;

// CALL_TYPE shares of the real set: A 21 %, B 48 %, C 31 %.
constexpr double kShareA = 0.213;
constexpr double kShareB = 0.478;
// Rare cases, near their rate in the real set (5,901 empty polylines and 10
// MISSING_DATA=True among 1.71 M trips); MISSING_DATA is made more common so a
// few thousand trips already show some.
constexpr double kEmptyPolyline = 0.0035;
constexpr double kMissingData = 0.0002;

struct Point {
  double lon;
  double lat;
};

uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t s = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  return SplitMix64(s);
}

// Stand positions: fixed for all seeds, scattered around the centre.
const std::array<Point, kStands + 1>& StandPositions() {
  static const std::array<Point, kStands + 1> stands = [] {
    std::array<Point, kStands + 1> s{};
    Rng rng(0x57A4D5);
    for (int i = 1; i <= kStands; ++i) {
      s[i] = {kCenterLon + rng.Normal() * 0.018, kCenterLat + rng.Normal() * 0.012};
    }
    return s;
  }();
  return stands;
}

// Writes a coordinate as the data set does: at most 6 decimals, no trailing zeros,
// at least one decimal ("-8.58573", "41.1").
void AppendCoord(double v, std::string* out) {
  int64_t micro = std::llround(v * 1e6);
  char buf[32];
  char* p = buf;
  if (micro < 0) {
    *p++ = '-';
    micro = -micro;
  }
  p = std::to_chars(p, buf + sizeof buf, micro / 1000000).ptr;
  *p++ = '.';
  int64_t frac = micro % 1000000;
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  int n = 6;
  while (n > 1 && digits[n - 1] == '0') --n;
  std::copy_n(digits, n, p);
  p += n;
  out->append(buf, static_cast<size_t>(p - buf));
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

Status WriteAll(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("write", name, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

TaxiTripGenerator::TaxiTripGenerator(uint64_t seed, int64_t start_unix_seconds)
    : seed_(seed), start_(start_unix_seconds) {}

void TaxiTripGenerator::AppendTrip(uint64_t index, std::string* out) const {
  Rng rng(Mix(seed_, index));

  out->append("\"T");
  AppendInt(static_cast<int64_t>(index + 1), out);
  out->append("\",");

  const double u = rng.Uniform();
  const char call_type = u < kShareA ? 'A' : u < kShareA + kShareB ? 'B' : 'C';
  int stand = 0;
  if (call_type == 'A') {
    // Some customers call often; most call once or twice.
    int64_t caller;
    if (rng.Chance(0.2)) {
      uint64_t s = seed_ ^ static_cast<uint64_t>(rng.Between(0, kFrequentCallers - 1));
      caller = 2001 + static_cast<int64_t>(SplitMix64(s) % 80000);
    } else {
      caller = rng.Between(2001, 86500);
    }
    out->append("\"A\",\"");
    AppendInt(caller, out);
    out->append("\",NA,");
  } else if (call_type == 'B') {
    // Central stands are busier: skew towards low numbers.
    stand = 1 + static_cast<int>(std::pow(rng.Uniform(), 1.5) * kStands);
    out->append("\"B\",NA,\"");
    AppendInt(stand, out);
    out->append("\",");
  } else {
    out->append("\"C\",NA,NA,");
  }

  out->append("\"");
  AppendInt(20000001 + rng.Between(0, kTaxis - 1) * 980 / kTaxis, out);
  out->append("\",\"");
  const int64_t ts = start_ + static_cast<int64_t>(static_cast<double>(index) * kMeanSecondsBetweenTrips) +
                     rng.Between(0, 59);
  AppendInt(ts, out);
  // DAY_TYPE is "A" on every row of the real set; the generator keeps that quirk.
  const bool missing = rng.Chance(kMissingData);
  out->append(missing ? "\",\"A\",\"True\",\"[" : "\",\"A\",\"False\",\"[");

  int points = 0;
  if (!rng.Chance(kEmptyPolyline)) {
    // Log-normal length, median ~30 points (7.5 min), mean ~45, tail to a few hours,
    // as in the real set.
    points = static_cast<int>(std::lround(std::exp(std::log(30.0) + 0.9 * rng.Normal())));
    points = std::clamp(points, 1, 720);
    if (missing) points = std::max(1, points / 3);  // the trace stops early
  }

  Point pos;
  if (call_type == 'B') {
    const Point s = StandPositions()[stand];
    pos = {s.lon + rng.Normal() * 0.0004, s.lat + rng.Normal() * 0.0003};
  } else {
    pos = {kCenterLon + rng.Normal() * 0.03, kCenterLat + rng.Normal() * 0.02};
  }
  pos.lon = std::clamp(pos.lon, kMinLon, kMaxLon);
  pos.lat = std::clamp(pos.lat, kMinLat, kMaxLat);
  double heading = rng.Uniform() * 2 * M_PI;
  double speed = 0;  // m/s
  const double cruise = points > 80 ? 17.0 : 9.0;  // long trips reach the motorways
  for (int i = 0; i < points; ++i) {
    if (i > 0) {
      // Stops (lights, queues, pick-ups) tend to last more than one fix: in the real
      // set a quarter of all 15 s steps move less than 1 km/h.
      if (rng.Chance(speed == 0 ? 0.5 : 0.18)) {
        speed = 0;
      } else {
        speed = std::clamp(speed + (cruise - speed) * 0.3 + rng.Normal() * 2.5, 0.0, kMaxSpeedMetersPerSecond);
      }
      if (rng.Chance(0.08)) heading += rng.Chance(0.5) ? M_PI / 2 : -M_PI / 2;  // a corner
      heading += rng.Normal() * 0.2;
      const double dx = (pos.lon - kCenterLon) * kMetersPerDegLon;
      const double dy = (pos.lat - kCenterLat) * kMetersPerDegLat;
      if (dx * dx + dy * dy > 12000.0 * 12000.0) heading = std::atan2(-dx, -dy);  // turn back towards town
      const double step = speed * kSecondsPerPoint;
      pos.lon = std::clamp(pos.lon + step * std::sin(heading) / kMetersPerDegLon, kMinLon, kMaxLon);
      pos.lat = std::clamp(pos.lat + step * std::cos(heading) / kMetersPerDegLat, kMinLat, kMaxLat);
    }
    if (i > 0) out->push_back(',');
    out->push_back('[');
    // About 3 m of GPS noise on each reported fix.
    AppendCoord(pos.lon + rng.Normal() * 3.0 / kMetersPerDegLon, out);
    out->push_back(',');
    AppendCoord(pos.lat + rng.Normal() * 3.0 / kMetersPerDegLat, out);
    out->push_back(']');
  }
  out->append("]\"\n");
}

Result<int64_t> ParseDateUtc(std::string_view date) {
  int y = 0, m = 0, d = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' ||
      std::from_chars(date.data(), date.data() + 4, y).ptr != date.data() + 4 ||
      std::from_chars(date.data() + 5, date.data() + 7, m).ptr != date.data() + 7 ||
      std::from_chars(date.data() + 8, date.data() + 10, d).ptr != date.data() + 10 || m < 1 || m > 12 || d < 1 ||
      d > 31 || y < 1970) {
    return Status::InvalidArgument("not a date (YYYY-MM-DD): " + std::string(date));
  }
  // Days from civil (Howard Hinnant's algorithm), avoiding timegm's locale of TZ.
  y -= m <= 2;
  const int era = y / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return days * 86400;
}

Status GenerateTaxiCsv(const GenTaxiOptions& options) {
  ASSIGN_OR_RETURN(const int64_t start, ParseDateUtc(options.start_date));
  const TaxiTripGenerator gen(options.seed, start);
  int fd = 1;
  if (options.output != "-") {
    fd = ::open(options.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno("open", options.output, errno);
  }
  const std::string name = options.output == "-" ? "stdout" : options.output;
  struct Closer {
    int fd;
    ~Closer() {
      if (fd > 2) ::close(fd);
    }
  } closer{fd};

  std::string header(kTaxiCsvHeader);
  header.push_back('\n');
  RETURN_IF_ERROR(WriteAll(fd, header, name));

  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Each worker fills one chunk; chunks are written in order. While the chunks of one
  // round are written, the next round is already being generated.
  constexpr uint64_t kChunkTrips = 8192;
  const uint64_t chunks = (options.trips + kChunkTrips - 1) / kChunkTrips;
  auto fill = [&](uint64_t chunk, std::string* out) {
    out->clear();
    const uint64_t begin = chunk * kChunkTrips;
    const uint64_t end = std::min(options.trips, begin + kChunkTrips);
    for (uint64_t i = begin; i < end; ++i) gen.AppendTrip(i, out);
  };
  std::vector<std::string> ready(static_cast<size_t>(threads));
  std::vector<std::string> next(static_cast<size_t>(threads));
  uint64_t round_start = 0;
  auto generate_round = [&](uint64_t first, std::vector<std::string>& bufs) {
    std::vector<std::thread> workers;
    for (int t = 1; t < threads && first + static_cast<uint64_t>(t) < chunks; ++t) {
      workers.emplace_back(fill, first + static_cast<uint64_t>(t), &bufs[static_cast<size_t>(t)]);
    }
    if (first < chunks) fill(first, &bufs[0]);
    for (std::thread& w : workers) w.join();
  };
  generate_round(0, ready);
  while (round_start < chunks) {
    const uint64_t next_start = round_start + static_cast<uint64_t>(threads);
    // Generate the next round on a helper thread while this thread writes.
    std::thread ahead;
    if (next_start < chunks) ahead = std::thread(generate_round, next_start, std::ref(next));
    Status st;
    for (int t = 0; t < threads && round_start + static_cast<uint64_t>(t) < chunks && st.ok(); ++t) {
      st = WriteAll(fd, ready[static_cast<size_t>(t)], name);
    }
    if (ahead.joinable()) ahead.join();
    RETURN_IF_ERROR(st);
    std::swap(ready, next);
    round_start = next_start;
  }
  if (fd > 2 && ::close(fd) != 0) {
    closer.fd = -1;
    return Status::FromErrno("close", name, errno);
  }
  closer.fd = -1;
  return Status::OK();
}

int RunGenTaxi(const GenTaxiOptions& options) {
  if (!ParseDateUtc(options.start_date).ok()) {
    std::fprintf(stderr, "sluice gen taxi: --start must be a date YYYY-MM-DD, got '%s'\n", options.start_date.c_str());
    return 2;
  }
  const Status st = GenerateTaxiCsv(options);
  if (!st.ok()) {
    std::fprintf(stderr, "sluice gen taxi: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sluice::producer
