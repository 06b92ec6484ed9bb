#pragma once
// Kept for existing code: the header is <dynomite/core/attribute_value.hpp>.
#include <dynomite/core/attribute_value.hpp>
