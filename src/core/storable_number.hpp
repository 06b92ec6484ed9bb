// The number a float or a double is stored as, for the value types and the models alike.
#pragma once

#include <dynomite/core/number.hpp>

namespace dynomite::detail {

/// The float's or double's shortest text as a number. Throws dynomite::error
/// (errc::invalid_number) naming NaN, infinity, or a magnitude DynamoDB cannot store.
number storable_number(double v);
number storable_number(float v);

}  // namespace dynomite::detail
