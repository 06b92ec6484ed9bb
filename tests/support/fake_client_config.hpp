// The client settings that point a client at a fake_server: its address, a region and test
// credentials (the fake checks no signature). Tests add what they vary to the result.
#pragma once

#include "support/fake_server.hpp"

#include <dynomite/client/client_config.hpp>

namespace dynomite::test {

// Assignments rather than designated initializers: GCC 12 warns about every member those
// leave out.
inline client_config fake_client_config(const fake_server& server)
{
    client_config config;
    config.endpoint = server.url();
    config.region = "us-east-1";
    config.credentials = credentials{"AKIDTEST", "secret", ""};
    return config;
}

}  // namespace dynomite::test
