#pragma once
// Kept for existing code: the header is <dynomite/query/table_schema.hpp>.
#include <dynomite/query/table_schema.hpp>
