// Base64 (RFC 4648, standard alphabet, '=' padding): Kinesis record Data in JSON,
// shard iterators, Content-MD5. Decoding is strict: any character outside the alphabet,
// misplaced padding or non-zero trailing bits fail.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

std::string Base64Encode(std::string_view bytes);
// Appends the encoding to `out`, so a request builder encodes many records into one
// buffer without a temporary string each.
// Uses AVX2 when the CPU has it; the result is the same either way.
void Base64EncodeAppend(std::string_view bytes, std::string& out);
// The portable encoder, whatever the CPU; tests compare the two.
void Base64EncodeAppendPortable(std::string_view bytes, std::string& out);
// Appends to `out` (no reallocation if reserved); false on invalid input, in which case
// `out` may hold a partial result.
bool Base64DecodeAppend(std::string_view text, std::string& out);
std::optional<std::string> Base64Decode(std::string_view text);
// Exact decoded size of valid input (uses the padding); an upper bound otherwise.
size_t Base64DecodedSize(std::string_view text);

}  // namespace sluice
