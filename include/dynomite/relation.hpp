#pragma once
// Kept for existing code: the header is <dynomite/query/relation.hpp>.
#include <dynomite/query/relation.hpp>
