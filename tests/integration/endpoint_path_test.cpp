// An endpoint URL with a path against a real endpoint: requests go to that path, signed for it.
// Behind the SigV4-verifying proxy (integration_endpoint()), the AWS SDK for Java's signer
// checks the canonical URI.
#include "integration/integration_fixture.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dynomite::test {
namespace {

class endpoint_path : public integration_test {};

TEST_F(endpoint_path, requests_to_an_endpoint_with_a_path_are_signed_for_it)
{
    std::string base = integration_endpoint();
    while (base.ends_with('/')) base.pop_back();
    for (const std::string path : {"/dynomite", "/dynomite/a%20b/"}) {
        client_config config = base_config();
        config.endpoint = base + path;
        client with_path(io.get_executor(), config);
        EXPECT_EQ(with_path.endpoint_url(), base + path);
        // The proxy answers a signature it does not accept with an error, which run() throws.
        EXPECT_NO_THROW(run(with_path.execute(list_tables_request{}))) << path;
    }
}

}  // namespace
}  // namespace dynomite::test
