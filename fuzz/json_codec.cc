// The JSON body codec and the Kinesis request checks: any input either fails to
// decode or round-trips through both encodings and gets a well-formed answer from the
// field specs (fuzz/body_checks.h). The last input byte selects the action.
#include "body_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::FuzzBody(data, size, sluice::awsproto::BodyEncoding::kJson);
  return 0;
}
