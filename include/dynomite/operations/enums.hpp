#pragma once
// Kept for existing code: the header is <dynomite/protocol/enums.hpp>.
#include <dynomite/protocol/enums.hpp>
