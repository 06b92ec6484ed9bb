#pragma once
// Kept for existing code: the header is <dynomite/query/batch.hpp>.
#include <dynomite/query/batch.hpp>
