#pragma once
// Kept for existing code: the header is <dynomite/query/query_plan.hpp>.
#include <dynomite/query/query_plan.hpp>
