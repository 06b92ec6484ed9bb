#pragma once
// Kept for existing code: the header is <dynomite/client/client_config.hpp>.
#include <dynomite/client/client_config.hpp>
