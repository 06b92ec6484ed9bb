#pragma once
// Kept for existing code: the header is <dynomite/protocol/batch.hpp>.
#include <dynomite/protocol/batch.hpp>
