// An io_context destroyed while operations wait frees everything they hold. A waiting
// handler owns its caller's frame, and the frame often owns the object that keeps the handler
// (a cursor and its reader; a database and a read that waits for its table's schema): such
// handlers are parked in waits of the context, so that its shutdown destroys them and the
// cycle with them.
#include "core/parked_handler.hpp"
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/query/database.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::fake_action;
using test::fake_server;

// --- The parked handler itself ----------------------------------------------------------------

TEST(ParkedHandler, completes_with_the_values_given_after_the_caller_returns)
{
    asio::io_context io;
    int got = 0;
    std::string text;
    detail::parked_handler<int, std::string> parked(io.get_executor(),
                                                    [&](int n, std::string s) {
                                                        got = n;
                                                        text = std::move(s);
                                                    });
    EXPECT_TRUE(parked.waiting());
    parked.complete(7, "seven");
    EXPECT_FALSE(parked.waiting());
    EXPECT_EQ(got, 0) << "completed inline";
    io.run();
    EXPECT_EQ(got, 7);
    EXPECT_EQ(text, "seven");
}

TEST(ParkedHandler, a_second_completion_and_an_empty_one_do_nothing)
{
    asio::io_context io;
    int calls = 0;
    detail::parked_handler<int> parked(io.get_executor(), [&](int) { ++calls; });
    parked.complete(1);
    parked.complete(2);
    detail::parked_handler<int> empty;
    EXPECT_FALSE(empty.waiting());
    empty.complete(3);
    io.run();
    EXPECT_EQ(calls, 1);
}

TEST(ParkedHandler, runs_on_the_handlers_own_executor)
{
    asio::io_context io;
    auto strand = asio::make_strand(io);
    bool on_strand = false;
    detail::parked_handler<> parked(
        io.get_executor(),
        asio::bind_executor(strand, [&] { on_strand = strand.running_in_this_thread(); }));
    parked.complete();
    io.run();
    EXPECT_TRUE(on_strand);
}

TEST(ParkedHandler, a_cancellation_after_the_completion_reaches_nobody)
{
    asio::io_context io;
    asio::cancellation_signal signal;
    bool ran = false;
    detail::parked_handler<>::handler_type handler =
        asio::bind_cancellation_slot(signal.slot(), [&] { ran = true; });
    // What an operation does on start: it listens on the handler's slot.
    int cancellations = 0;
    asio::get_associated_cancellation_slot(handler).assign(
        [&](asio::cancellation_type) { ++cancellations; });
    detail::parked_handler<> parked(io.get_executor(), std::move(handler));
    parked.complete();
    io.run();
    ASSERT_TRUE(ran);
    signal.emit(asio::cancellation_type::terminal);
    EXPECT_EQ(cancellations, 0) << "the finished operation's cancellation handler still ran";
}

TEST(ParkedHandler, is_destroyed_with_its_context_and_not_run)
{
    auto owned = std::make_shared<int>(0);
    std::weak_ptr<int> watch = owned;
    bool ran = false;
    detail::parked_handler<int> parked;
    {
        asio::io_context io;
        parked = detail::parked_handler<int>(io.get_executor(),
                                             [&ran, owned = std::move(owned)](int) { ran = true; });
        EXPECT_FALSE(watch.expired());
    }
    EXPECT_TRUE(watch.expired()) << "the handler outlived its io_context";
    EXPECT_FALSE(parked.waiting());
    parked.complete(1);
    EXPECT_FALSE(ran);
}

// --- Database and cursor waits ----------------------------------------------------------------

std::string one_key_table_description()
{
    return R"({"Table":{"TableName":"t","TableStatus":"ACTIVE",)"
           R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
           R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}})";
}

client_config single_attempt_config(const fake_server& server)
{
    client_config config = dynomite::test::fake_client_config(server);
    config.retry.max_attempts = 1;
    return config;
}

/// Starts rel.async_all() on a client of its own, runs until the server has received
/// `requests` requests, then destroys the context with the read still waiting. True when
/// nothing of the client, the database or the read is left.
bool freed_after_teardown(fake_server& server, std::size_t requests)
{
    auto kept = std::make_shared<int>(0);
    std::weak_ptr<int> watch = kept;
    bool completed = false;
    {
        diagnostics diag;
        asio::io_context io;
        {
            client cl(io.get_executor(), single_attempt_config(server));
            database_options options;
            // The database's options live as long as its state: the logger tells when it goes.
            options.logger = [kept = std::move(kept)](log_level, std::string_view) {};
            database db(cl, std::move(options));
            db.table("t").where("pk", "p").async_all(
                diag, [&completed](error_code, std::vector<attribute_map>) { completed = true; });
        }
        const auto give_up = std::chrono::steady_clock::now() + 10s;
        while (server.request_count() < requests && std::chrono::steady_clock::now() < give_up) {
            io.run_one_for(20ms);
        }
        EXPECT_EQ(server.request_count(), requests);
        io.run_for(50ms);
        EXPECT_FALSE(completed) << "the read was meant to be still waiting";
        EXPECT_FALSE(watch.expired()) << "the waiting read should keep the database";
    }
    return watch.expired();
}

TEST(ContextTeardown, a_read_waiting_for_its_tables_schema_is_freed_with_the_context)
{
    fake_server server;
    server.enqueue(fake_action::ok(one_key_table_description()).with_delay(10s));
    EXPECT_TRUE(freed_after_teardown(server, 1))
        << "the schema cache's waiter kept the read, which keeps the database";
}

TEST(ContextTeardown, a_reader_waiting_for_a_page_is_freed_with_the_context)
{
    fake_server server;
    server.enqueue(fake_action::ok(one_key_table_description()));
    server.enqueue(fake_action::ok(R"({"Items":[],"Count":0,"ScannedCount":0})").with_delay(10s));
    EXPECT_TRUE(freed_after_teardown(server, 2))
        << "the cursor's waiting reader kept the cursor, which keeps the database";
}

// A credentials source that answers after an hour, from a wait of the context.
class slow_credentials_source : public credentials_provider {
public:
    explicit slow_credentials_source(asio::any_io_executor executor) : executor_(executor) {}
    std::string_view name() const noexcept override { return "slow source"; }
    void start_get_credentials(diagnostics&, handler_type handler) override
    {
        auto timer = std::make_shared<asio::steady_timer>(executor_, 1h);
        timer->async_wait([timer, handler = std::move(handler)](error_code) mutable {
            std::move(handler)(error_code{}, credentials{"AKIDTEST", "secret", ""});
        });
    }

private:
    asio::any_io_executor executor_;
};

TEST(ContextTeardown, a_request_waiting_for_credentials_is_freed_with_the_context)
{
    fake_server server;
    auto kept = std::make_shared<int>(0);
    std::weak_ptr<int> watch = kept;
    {
        diagnostics diag;
        asio::io_context io;
        {
            client_config config = single_attempt_config(server);
            config.credentials.reset();
            config.credentials_provider = std::make_shared<slow_credentials_source>(io.get_executor());
            config.logger = [kept = std::move(kept)](log_level, std::string_view) {};
            client cl(io.get_executor(), std::move(config));
            get_item_request request{"t", {{"pk", "p"}}};
            cl.async_get_item(std::move(request), diag, [](error_code, get_item_response) {});
        }
        io.run_for(100ms);
        EXPECT_EQ(server.request_count(), 0u);
        EXPECT_FALSE(watch.expired()) << "the waiting request should keep the client";
    }
    EXPECT_TRUE(watch.expired())
        << "the credentials cache's waiter kept the request, which keeps the client";
}

}  // namespace
}  // namespace dynomite
