#include "functions/event_source_mappings.h"

namespace sluice::functions {

std::string_view MappingErrorTypeName(MappingErrorType type) {
  switch (type) {
    case MappingErrorType::kValidation: return "ValidationException";
    case MappingErrorType::kInvalidParameterValue: return "InvalidParameterValueException";
    case MappingErrorType::kResourceNotFound: return "ResourceNotFoundException";
    case MappingErrorType::kResourceConflict: return "ResourceConflictException";
    case MappingErrorType::kResourceInUse: return "ResourceInUseException";
    case MappingErrorType::kService: return "ServiceException";
  }
  return "ServiceException";
}

int MappingErrorHttpStatus(MappingErrorType type) {
  switch (type) {
    case MappingErrorType::kValidation:
    case MappingErrorType::kInvalidParameterValue:
    case MappingErrorType::kResourceInUse: return 400;
    case MappingErrorType::kResourceNotFound: return 404;
    case MappingErrorType::kResourceConflict: return 409;
    case MappingErrorType::kService: return 500;
  }
  return 500;
}

bool MappingErrorIsUserType(MappingErrorType type) {
  return type != MappingErrorType::kValidation && type != MappingErrorType::kService;
}

std::string_view StartingPositionName(StartingPosition p) {
  switch (p) {
    case StartingPosition::kTrimHorizon: return "TRIM_HORIZON";
    case StartingPosition::kLatest: return "LATEST";
    case StartingPosition::kAtTimestamp: return "AT_TIMESTAMP";
  }
  return "LATEST";
}

}  // namespace sluice::functions
