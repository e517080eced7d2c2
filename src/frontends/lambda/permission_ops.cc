// AddPermission / GetPolicy / RemovePermission (recorded, not enforced), reserved
// concurrency, and tags.
#include "internal/fields.h"
#include "internal/ops.h"

namespace sluice::frontends::lambda {
namespace {

using functions::LambdaError;

http::Response Ok(int status, const nlohmann::json& body) { return awsproto::RestJsonResponse(status, body.dump()); }

template <typename R>
bool Failed(const R& r, http::Responder& done) {
  if (r.ok()) return false;
  done(LambdaFailureResponse(r.error()));
  return true;
}

}  // namespace

void AddPermission(LambdaBackends& b, Call& call, http::Responder done) {
  auto body = JsonBody(call, done);
  if (!body) return;
  Fields f(*body);
  functions::Permission p;
  p.statement_id = f.String("StatementId").value_or("");
  p.action = f.String("Action").value_or("");
  p.principal = f.String("Principal").value_or("");
  p.source_arn = f.String("SourceArn").value_or("");
  p.source_account = f.String("SourceAccount").value_or("");
  p.revision_id = f.String("RevisionId");
  if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
  for (const auto& [key, field] : {std::pair{"StatementId", "statementId"}, std::pair{"Action", "action"},
                                   std::pair{"Principal", "principal"}}) {
    if (!f.Has(key)) return done(Error(LambdaError::kValidation, MissingField(field)));
  }
  auto r = b.functions.AddPermission(call.Label("FunctionName"), std::move(p));
  if (Failed(r, done)) return;
  done(Ok(201, {{"Statement", *r}}));
}

void GetPolicy(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.Get(call.Label("FunctionName"), call.Query("Qualifier").value_or(""));
  if (Failed(r, done)) return;
  if (r->policy.empty()) {
    return done(Error(LambdaError::kResourceNotFound, "The resource you requested does not exist."));
  }
  done(Ok(200, {{"Policy", r->policy}, {"RevisionId", r->revision_id}}));
}

void RemovePermission(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.RemovePermission(call.Label("FunctionName"), call.Label("StatementId"), call.Query("RevisionId"));
  if (Failed(r, done)) return;
  done(awsproto::RestJsonResponse(204, ""));
}

void PutFunctionConcurrency(LambdaBackends& b, Call& call, http::Responder done) {
  auto body = JsonBody(call, done);
  if (!body) return;
  Fields f(*body);
  auto n = f.Int("ReservedConcurrentExecutions");
  if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
  if (!n) return done(Error(LambdaError::kValidation, MissingField("reservedConcurrentExecutions")));
  if (*n < 0) {
    return done(Error(LambdaError::kValidation,
                      "1 validation error detected: Value '" + std::to_string(*n) +
                          "' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value "
                          "greater than or equal to 0"));
  }
  auto r = b.functions.PutConcurrency(call.Label("FunctionName"), *n);
  if (Failed(r, done)) return;
  done(Ok(200, {{"ReservedConcurrentExecutions", *n}}));
}

void GetFunctionConcurrency(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.Get(call.Label("FunctionName"), "");
  if (Failed(r, done)) return;
  nlohmann::json out = nlohmann::json::object();
  if (r->reserved_concurrency) out["ReservedConcurrentExecutions"] = *r->reserved_concurrency;
  done(Ok(200, out));
}

void DeleteFunctionConcurrency(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.PutConcurrency(call.Label("FunctionName"), std::nullopt);
  if (Failed(r, done)) return;
  done(awsproto::RestJsonResponse(204, ""));
}

void TagResource(LambdaBackends& b, Call& call, http::Responder done) {
  auto body = JsonBody(call, done);
  if (!body) return;
  Fields f(*body);
  auto tags = f.StringMap("Tags");
  if (!f.type_error().empty()) return done(Error(LambdaError::kInvalidRequestContent, f.type_error()));
  if (!tags) return done(Error(LambdaError::kValidation, MissingField("tags")));
  auto r = b.functions.TagResource(call.Label("ARN"), *tags);
  if (Failed(r, done)) return;
  done(awsproto::RestJsonResponse(204, ""));
}

void UntagResource(LambdaBackends& b, Call& call, http::Responder done) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : call.query) {
    if (k == "tagKeys") keys.push_back(v);
  }
  if (keys.empty()) return done(Error(LambdaError::kValidation, MissingField("tagKeys")));
  auto r = b.functions.UntagResource(call.Label("ARN"), keys);
  if (Failed(r, done)) return;
  done(awsproto::RestJsonResponse(204, ""));
}

void ListTags(LambdaBackends& b, Call& call, http::Responder done) {
  auto r = b.functions.ListTags(call.Label("ARN"));
  if (Failed(r, done)) return;
  done(Ok(200, {{"Tags", *r}}));
}

}  // namespace sluice::frontends::lambda
