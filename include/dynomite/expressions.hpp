#pragma once
// Kept for existing code: the header is <dynomite/expr/expressions.hpp>.
#include <dynomite/expr/expressions.hpp>
