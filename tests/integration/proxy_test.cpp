// DynamoDB through an HTTP forward proxy: the requests carry the absolute URL to the proxy,
// and the endpoint still accepts their signatures. Behind the SigV4-verifying proxy that
// integration_endpoint() starts when DYNOMITE_ENDPOINT is unset, a signature over anything but
// the endpoint's host and path "/" is refused.
#include "integration/integration_fixture.hpp"
#include "support/test_proxy.hpp"

#include <gtest/gtest.h>

namespace {

using namespace dynomite;
using dynomite::test::test_proxy;
namespace asio = boost::asio;

class ProxyTest : public dynomite::test::integration_test {};

TEST_F(ProxyTest, ItemsGoThroughAForwardProxyWithCredentials)
{
    const auto table = create_table("proxied");
    test_proxy proxy({.required_authorization = "Basic ZmxlZXQ6czNjcmV0", .refuse_with = 0});
    auto config = base_config();
    config.proxy.http_proxy = "http://fleet:s3cret@127.0.0.1:" + std::to_string(proxy.port());
    config.proxy.no_proxy = "";  // whatever the environment says, 127.0.0.1 goes through it
    client c(io.get_executor(), config);

    put_item_request put;
    put.table_name = table;
    put.item = dynomite::test::key_of("through-proxy", "sk");
    put.item["title"] = attribute_value("proxied");
    diagnostics diag;
    auto [put_ec, put_response] =
        run(c.async_execute(std::move(put), diag, asio::as_tuple(asio::use_awaitable)));
    ASSERT_FALSE(put_ec) << diag.to_string();

    get_item_request get;
    get.table_name = table;
    get.key = dynomite::test::key_of("through-proxy", "sk");
    get.consistent_read = true;
    auto [get_ec, got] =
        run(c.async_execute(std::move(get), diag, asio::as_tuple(asio::use_awaitable)));
    ASSERT_FALSE(get_ec) << diag.to_string();
    ASSERT_TRUE(got.item);
    EXPECT_EQ(got.item->at("title").as_s(), "proxied");

    const auto seen = proxy.requests();
    ASSERT_EQ(seen.size(), 2u);
    for (const auto& request : seen) {
        EXPECT_EQ(request.method, "POST");
        EXPECT_EQ(request.target, c.endpoint_url() + "/");
        EXPECT_EQ(request.proxy_authorization, "Basic ZmxlZXQ6czNjcmV0");  // fleet:s3cret
    }
}

}  // namespace
