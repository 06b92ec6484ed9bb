#pragma once
// Kept for existing code: the header is <dynomite/model/attribute_converter.hpp>.
#include <dynomite/model/attribute_converter.hpp>
