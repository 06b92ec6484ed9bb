#pragma once
// Kept for existing code: the header is <dynomite/expr/update_expression.hpp>.
#include <dynomite/expr/update_expression.hpp>
