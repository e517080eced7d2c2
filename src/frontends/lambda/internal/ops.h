// The Lambda front end's operations: one function per route of routes.cc, each taking
// the decoded request and answering through `done` (exactly once, on any thread).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "awsproto/rest_json.h"
#include "frontends/lambda/lambda_service.h"
#include "functions/functions.h"
#include "http/types.h"

namespace sluice::frontends::lambda {

struct Call {
  http::Request request;
  awsproto::RestMatch match;
  std::vector<std::pair<std::string, std::string>> query;

  std::string_view Label(std::string_view name) const { return match.Label(name); }
  std::optional<std::string> Query(std::string_view key) const { return awsproto::QueryValue(query, key); }
};

using Op = void (*)(LambdaBackends& backends, Call& call, http::Responder done);

// The route table and the operation of each route, in one place (routes.cc).
std::span<const awsproto::RestRoute> Routes();
Op OperationOf(int operation);
// Body limits by route (CreateFunction and UpdateFunctionCode carry packages; Invoke
// has Lambda's payload limits).
uint64_t BodyLimitOf(int operation, const http::RequestHead& head);
http::Response TooLargeFor(int operation, const http::RequestHead& head, uint64_t limit);

// Errors and bodies.
http::Response LambdaFailureResponse(const functions::LambdaFailure& f);
http::Response Error(functions::LambdaError code, std::string_view message);
// The body as a JSON object; nullopt after answering InvalidRequestContentException.
std::optional<nlohmann::json> JsonBody(const Call& call, http::Responder& done);
nlohmann::json ConfigurationJson(const functions::FunctionConfig& c);

// The operations.
void CreateFunction(LambdaBackends& b, Call& call, http::Responder done);
void GetFunction(LambdaBackends& b, Call& call, http::Responder done);
void GetFunctionConfiguration(LambdaBackends& b, Call& call, http::Responder done);
void ListFunctions(LambdaBackends& b, Call& call, http::Responder done);
void DeleteFunction(LambdaBackends& b, Call& call, http::Responder done);
void UpdateFunctionCode(LambdaBackends& b, Call& call, http::Responder done);
void UpdateFunctionConfiguration(LambdaBackends& b, Call& call, http::Responder done);
void Invoke(LambdaBackends& b, Call& call, http::Responder done);
void AddPermission(LambdaBackends& b, Call& call, http::Responder done);
void GetPolicy(LambdaBackends& b, Call& call, http::Responder done);
void RemovePermission(LambdaBackends& b, Call& call, http::Responder done);
void PutFunctionConcurrency(LambdaBackends& b, Call& call, http::Responder done);
void GetFunctionConcurrency(LambdaBackends& b, Call& call, http::Responder done);
void DeleteFunctionConcurrency(LambdaBackends& b, Call& call, http::Responder done);
void TagResource(LambdaBackends& b, Call& call, http::Responder done);
void UntagResource(LambdaBackends& b, Call& call, http::Responder done);
void ListTags(LambdaBackends& b, Call& call, http::Responder done);
// Create/List/Get/Update/DeleteEventSourceMapping (mapping_routes.h).
void EventSourceMapping(LambdaBackends& b, Call& call, http::Responder done);

}  // namespace sluice::frontends::lambda
