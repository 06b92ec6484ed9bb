#pragma once
// Kept for existing code: the header is <dynomite/core/time.hpp>.
#include <dynomite/core/time.hpp>
