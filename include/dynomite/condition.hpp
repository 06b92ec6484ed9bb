#pragma once
// Kept for existing code: the header is <dynomite/expr/condition.hpp>.
#include <dynomite/expr/condition.hpp>
