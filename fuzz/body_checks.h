// What the JSON and CBOR targets check on every body a codec accepts: writing the
// decoded tree back and decoding that again gives the same tree (in both encodings),
// and the Kinesis request checks either refuse it with an AWS-shaped error or leave a
// tree that satisfies every field spec.
#pragma once

#include <cstddef>
#include <cstdint>

#include "awsproto/value.h"

namespace sluice::fuzz {

// One fuzz input: a body in encoding `enc` followed by one byte that picks the Kinesis
// action whose field specs the schema check uses. Aborts on a broken invariant.
void FuzzBody(const uint8_t* data, size_t size, awsproto::BodyEncoding enc);

}  // namespace sluice::fuzz
