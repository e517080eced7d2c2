// Invoke: RequestResponse answers with the function's result (X-Amz-Function-Error
// when it failed, X-Amz-Log-Result with LogType Tail), Event is queued (202), DryRun
// only checks (204).
#include "base/base64.h"
#include "internal/ops.h"

namespace sluice::frontends::lambda {

void Invoke(LambdaBackends& b, Call& call, http::Responder done) {
  using functions::InvocationType;
  using functions::LambdaError;
  const std::string_view type_header = call.request.head.Header("x-amz-invocation-type");
  InvocationType type = InvocationType::kRequestResponse;
  if (type_header == "Event") {
    type = InvocationType::kEvent;
  } else if (type_header == "DryRun") {
    type = InvocationType::kDryRun;
  } else if (!type_header.empty() && type_header != "RequestResponse") {
    return done(Error(LambdaError::kValidation,
                      "1 validation error detected: Value '" + std::string(type_header) +
                          "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
                          "[Event, RequestResponse, DryRun]"));
  }
  const std::string_view log_type = call.request.head.Header("x-amz-log-type");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    return done(Error(LambdaError::kValidation,
                      "1 validation error detected: Value '" + std::string(log_type) +
                          "' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, "
                          "Tail]"));
  }
  std::string payload = std::move(call.request.body);
  if (payload.empty()) payload = "{}";
  if (!nlohmann::json::accept(payload)) {
    return done(Error(LambdaError::kInvalidRequestContent,
                      "Could not parse request body into json: Could not parse payload into json: the payload is not "
                      "a JSON text"));
  }
  const bool tail = log_type == "Tail" && type == InvocationType::kRequestResponse;
  b.functions.Invoke(call.Label("FunctionName"), call.Query("Qualifier").value_or(""), type, std::move(payload),
                     [type, tail, done = std::move(done)](functions::LambdaResult<functions::InvokeResult> r) {
                       if (!r.ok()) return done(LambdaFailureResponse(r.error()));
                       if (type == InvocationType::kEvent) return done(awsproto::RestJsonResponse(202, ""));
                       if (type == InvocationType::kDryRun) return done(awsproto::RestJsonResponse(204, ""));
                       http::Response resp = awsproto::RestJsonResponse(200, std::move(r->payload));
                       resp.headers.emplace_back("x-amz-executed-version", "$LATEST");
                       if (r->function_error) resp.headers.emplace_back("x-amz-function-error", "Unhandled");
                       if (tail) resp.headers.emplace_back("x-amz-log-result", Base64Encode(r->log_tail));
                       done(std::move(resp));
                     });
}

}  // namespace sluice::frontends::lambda
