#include "stream/errors.h"

#include <spdlog/spdlog.h>

namespace sluice::stream {

Error InternalError(const Status& st) {
  spdlog::error("msg=\"storage failure\" error=\"{}\"", st.ToString());
  return Error{ErrorType::kInternalFailure, "Internal service failure."};
}

}  // namespace sluice::stream
