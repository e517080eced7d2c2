// The Lambda event-source mapping actions over REST-JSON: decode the request, call the
// MappingManager, encode its answer as Lambda does. Transport-neutral (no http types):
// the Lambda front end routes `/2015-03-31/event-source-mappings…` here.
//
//   POST   /2015-03-31/event-source-mappings/          CreateEventSourceMapping (202)
//   GET    /2015-03-31/event-source-mappings/?FunctionName=&EventSourceArn=&Marker=&MaxItems=
//                                                       ListEventSourceMappings (200)
//   GET    /2015-03-31/event-source-mappings/{UUID}    GetEventSourceMapping (200)
//   PUT    /2015-03-31/event-source-mappings/{UUID}    UpdateEventSourceMapping (202)
//   DELETE /2015-03-31/event-source-mappings/{UUID}    DeleteEventSourceMapping (202)
//
// Threading: the manager's calls commit to the catalog, so callers run this on a pool,
// never on an I/O thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "functions/event_source_mappings.h"

namespace sluice::frontends::lambda {

inline constexpr std::string_view kMappingsPath = "/2015-03-31/event-source-mappings";

struct MappingAnswer {
  int status = 200;
  std::string body;        // JSON
  std::string error_type;  // x-amzn-ErrorType when the answer is an error, else empty
};

// Whether `path` names the mapping actions (with or without a trailing UUID).
bool IsMappingPath(std::string_view path);

// Answers one request whose path IsMappingPath. `query` is the raw query string (after
// '?'). A method the path does not take is 404 UnknownOperationException.
MappingAnswer HandleMappingRequest(functions::MappingManager& manager, std::string_view method,
                                   std::string_view path, std::string_view query,
                                   std::string_view body);

// The EventSourceMappingConfiguration JSON of one mapping.
std::string MappingJson(const functions::MappingInfo& info);

}  // namespace sluice::frontends::lambda
