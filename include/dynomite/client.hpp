#pragma once
// Kept for existing code: the header is <dynomite/client/client.hpp>.
#include <dynomite/client/client.hpp>
