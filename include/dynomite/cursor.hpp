#pragma once
// Kept for existing code: the header is <dynomite/query/cursor.hpp>.
#include <dynomite/query/cursor.hpp>
