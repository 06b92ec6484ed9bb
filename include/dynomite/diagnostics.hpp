#pragma once
// Kept for existing code: the header is <dynomite/core/diagnostics.hpp>.
#include <dynomite/core/diagnostics.hpp>
