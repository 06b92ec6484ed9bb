#pragma once
// Kept for existing code: the header is <dynomite/core/naming.hpp>.
#include <dynomite/core/naming.hpp>
