// Internal to the delivery module: the configuration of a delivery stream as the JSON
// document kept in the catalog (catalog::DeliveryStreamRow::config_json). Field names
// are the API's; unknown fields are ignored when read, so later versions can add some.
#pragma once

#include <string>

#include "base/status.h"
#include "delivery/delivery.h"

namespace sluice::delivery {

std::string ConfigToJson(const DeliveryStreamConfig& config);
Result<DeliveryStreamConfig> ConfigFromJson(const std::string& text);

}  // namespace sluice::delivery
