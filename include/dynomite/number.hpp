#pragma once
// Kept for existing code: the header is <dynomite/core/number.hpp>.
#include <dynomite/core/number.hpp>
