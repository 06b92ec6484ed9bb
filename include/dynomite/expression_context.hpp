#pragma once
// Kept for existing code: the header is <dynomite/expr/expression_context.hpp>.
#include <dynomite/expr/expression_context.hpp>
