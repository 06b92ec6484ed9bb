#pragma once
// Kept for existing code: the header is <dynomite/core/logging.hpp>.
#include <dynomite/core/logging.hpp>
