// Which model naming is in force: set_model_naming() moves it on, so that what was made
// from the earlier naming (a model's default table name) is made again.
#pragma once

#include <cstdint>

namespace dynomite::detail {

std::uint64_t model_naming_generation() noexcept;

}  // namespace dynomite::detail
