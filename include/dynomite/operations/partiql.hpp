#pragma once
// Kept for existing code: the header is <dynomite/protocol/partiql.hpp>.
#include <dynomite/protocol/partiql.hpp>
