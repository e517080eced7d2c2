#include "cli/delivery_sink.h"

#include <future>

namespace sluice::cli {

Status DeliverySink::PutRecordBatch(std::string_view delivery_stream, const std::vector<std::string>& records) {
  std::vector<std::string_view> views(records.begin(), records.end());
  std::promise<Status> done;
  auto result = done.get_future();
  delivery_.Put(std::string(delivery_stream), views, [&done](delivery::DResult<std::vector<std::string>> r) {
    done.set_value(r.ok() ? Status::OK() : Status::Unavailable(r.error().message));
  });
  return result.get();
}

}  // namespace sluice::cli
