#pragma once
// Kept for existing code: the header is <dynomite/transport/endpoint.hpp>.
#include <dynomite/transport/endpoint.hpp>
