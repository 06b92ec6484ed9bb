#pragma once
// Kept for existing code: the header is <dynomite/protocol/tables.hpp>.
#include <dynomite/protocol/tables.hpp>
