#pragma once
// Kept for existing code: the header is <dynomite/protocol/transactions.hpp>.
#include <dynomite/protocol/transactions.hpp>
