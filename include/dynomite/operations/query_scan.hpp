#pragma once
// Kept for existing code: the header is <dynomite/protocol/query_scan.hpp>.
#include <dynomite/protocol/query_scan.hpp>
