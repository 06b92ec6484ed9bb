#pragma once
// Kept for existing code: the header is <dynomite/protocol/operations.hpp>.
#include <dynomite/protocol/operations.hpp>
