// The model layer's default database, and a model's own, go with the execution context of
// their client.
#include <dynomite/model.hpp>

#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace dynomite;

client_config config_for(const test::fake_server& server)
{
    client_config cfg = dynomite::test::fake_client_config(server);
    cfg.retry.max_attempts = 1;
    return cfg;
}

asio::execution_context& context_of(const database& db)
{
    return asio::query(db.get_client().get_executor(), asio::execution::context);
}

asio::awaitable<void> read_through_default()
{
    get_item_request get;
    get.table_name = "t";
    get.key = {{"id", "1"}};
    client c = default_database().get_client();
    auto response = co_await c.get_item(get);
    EXPECT_FALSE(response.item.has_value());
}

TEST(ModelDefaults, the_default_database_is_forgotten_when_its_context_goes)
{
    test::fake_server server;
    {
        asio::io_context io;
        database db(client(io.get_executor(), config_for(server)));
        set_default_database(db);
        ASSERT_TRUE(has_default_database());
        // A pooled keep-alive connection now belongs to io's reactor.
        std::exception_ptr failure;
        asio::co_spawn(io, read_through_default(), [&](std::exception_ptr e) { failure = e; });
        io.run();
        ASSERT_FALSE(failure);
        ASSERT_EQ(server.connections_accepted(), 1u);
    }
    // Kept any longer, its connection would be closed at exit on a freed reactor.
    EXPECT_FALSE(has_default_database());
    try {
        default_database();
        ADD_FAILURE() << "default_database() returned a database of a destroyed context";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), make_error_code(errc::invalid_configuration));
        EXPECT_NE(std::string(e.what()).find("set_default_database"), std::string::npos);
    }
}

struct Gadget : model<Gadget> {
    std::string id;

    static void define(model_definition<Gadget>& s)
    {
        s.field("id", &Gadget::id);
        s.partition_key("id");
    }
};

TEST(ModelDefaults, a_models_database_is_forgotten_when_its_context_goes)
{
    test::fake_server server;
    {
        asio::io_context io;
        Gadget::set_database(database(client(io.get_executor(), config_for(server))));
        ASSERT_TRUE(descriptor_of<Gadget>().model_database());
        EXPECT_EQ(&context_of(Gadget().used_database()), &io);
    }
    // Kept any longer, it would be destroyed at exit after the reactor of its connections.
    EXPECT_FALSE(descriptor_of<Gadget>().model_database());
    try {
        Gadget().used_database();
        ADD_FAILURE() << "used_database() returned a database of a destroyed context";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), make_error_code(errc::invalid_configuration));
    }
}

TEST(ModelDefaults, a_models_database_set_again_replaces_the_first)
{
    test::fake_server server;
    asio::io_context first;
    asio::io_context second;
    Gadget::set_database(database(client(first.get_executor(), config_for(server))));
    Gadget::set_database(database(client(second.get_executor(), config_for(server))));
    EXPECT_EQ(&context_of(Gadget().used_database()), &second);
    Gadget::set_database(database(client(first.get_executor(), config_for(server))));
    EXPECT_EQ(&context_of(Gadget().used_database()), &first);
}

TEST(ModelDefaults, a_default_for_another_context_replaces_the_first)
{
    test::fake_server server;
    asio::io_context first;
    asio::io_context second;
    database a(client(first.get_executor(), config_for(server)));
    database b(client(second.get_executor(), config_for(server)));
    set_default_database(a);
    set_default_database(b);
    EXPECT_EQ(&context_of(default_database()), &second);
    clear_default_database();
    EXPECT_FALSE(has_default_database());
    set_default_database(a);
    EXPECT_EQ(&context_of(default_database()), &first);
    clear_default_database();
}

}  // namespace
