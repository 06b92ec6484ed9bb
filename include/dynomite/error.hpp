#pragma once
// Kept for existing code: the header is <dynomite/core/error.hpp>.
#include <dynomite/core/error.hpp>
