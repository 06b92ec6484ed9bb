#pragma once
// Kept for existing code: the header is <dynomite/auth/credentials.hpp>.
#include <dynomite/auth/credentials.hpp>
