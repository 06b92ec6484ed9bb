#pragma once
// Kept for existing code: the header is <dynomite/protocol/items.hpp>.
#include <dynomite/protocol/items.hpp>
