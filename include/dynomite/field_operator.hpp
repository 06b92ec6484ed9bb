#pragma once
// Kept for existing code: the header is <dynomite/expr/field_operator.hpp>.
#include <dynomite/expr/field_operator.hpp>
