#pragma once
// Kept for existing code: the header is <dynomite/query/database.hpp>.
#include <dynomite/query/database.hpp>
