#pragma once
// Kept for existing code: the header is <dynomite/query/pagination.hpp>.
#include <dynomite/query/pagination.hpp>
