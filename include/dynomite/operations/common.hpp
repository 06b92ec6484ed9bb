#pragma once
// Kept for existing code: the header is <dynomite/protocol/common.hpp>.
#include <dynomite/protocol/common.hpp>
