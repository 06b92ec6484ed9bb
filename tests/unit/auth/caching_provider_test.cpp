// The cache in front of a credentials source: when it fetches, who waits, what survives a
// failed refresh. A scripted source and a clock the test moves.
#include <dynomite/auth/caching_provider.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using time_point = std::chrono::system_clock::time_point;

// Holds each fetch until the test completes it.
class scripted_source final : public credentials_provider {
public:
    explicit scripted_source(asio::io_context& io) : io_(io) {}

    std::string_view name() const noexcept override { return "scripted source"; }
    void start_get_credentials(diagnostics& diag, handler_type handler) override
    {
        ++started;
        pending.push_back({&diag, std::move(handler)});
    }

    void succeed(credentials creds)
    {
        ASSERT_FALSE(pending.empty());
        auto fetch = std::move(pending.front());
        pending.pop_front();
        asio::post(io_, [h = std::move(fetch.handler), creds = std::move(creds)]() mutable {
            std::move(h)(error_code{}, std::move(creds));
        });
    }
    void fail(std::string message)
    {
        ASSERT_FALSE(pending.empty());
        auto fetch = std::move(pending.front());
        pending.pop_front();
        fetch.diag->message = std::move(message);
        asio::post(io_, [h = std::move(fetch.handler)]() mutable {
            std::move(h)(make_error_code(errc::no_credentials), credentials{});
        });
    }

    struct fetch {
        diagnostics* diag;
        handler_type handler;
    };
    std::deque<fetch> pending;
    int started = 0;

private:
    asio::io_context& io_;
};

const time_point start_time = time_point{} + std::chrono::hours(24 * 365 * 56);

credentials temporary(std::string id, time_point expiration)
{
    return credentials{std::move(id), "secret-" + std::to_string(expiration.time_since_epoch().count()),
                       "token-value", expiration};
}

struct cache_test : ::testing::Test {
    asio::io_context io;
    std::shared_ptr<scripted_source> source = std::make_shared<scripted_source>(io);
    time_point now = start_time;
    std::vector<std::string> logged;
    std::shared_ptr<caching_credentials_provider> cache;

    void SetUp() override
    {
        caching_options options;
        options.clock = [this] { return now; };
        options.logger = [this](log_level, std::string_view line) { logged.emplace_back(line); };
        cache = caching_credentials_provider::create(io.get_executor(), source, options);
    }

    struct outcome {
        bool done = false;
        error_code ec;
        std::shared_ptr<const credentials> creds;
        diagnostics diag;
    };
    // Starts a request for credentials; it completes as io runs. With a signal, emitting it
    // cancels the request.
    std::shared_ptr<outcome> request(asio::cancellation_signal* cancel = nullptr)
    {
        auto result = std::make_shared<outcome>();
        auto handler = [result](error_code ec, std::shared_ptr<const credentials> c) {
            EXPECT_FALSE(result->done) << "completed twice";
            result->done = true;
            result->ec = ec;
            result->creds = std::move(c);
        };
        if (cancel)
            cache->async_get_current(result->diag,
                                     asio::bind_cancellation_slot(cancel->slot(), handler));
        else
            cache->async_get_current(result->diag, handler);
        return result;
    }
    void settle()
    {
        io.restart();
        io.poll();
    }
    void prime(credentials creds)
    {
        auto first = request();
        settle();
        source->succeed(std::move(creds));
        settle();
        ASSERT_TRUE(first->done);
        ASSERT_FALSE(first->ec) << first->diag.message;
    }
};

TEST_F(cache_test, credentials_without_expiration_are_fetched_once)
{
    prime(credentials{"AKIDLONGTERM", "secret", ""});
    now += std::chrono::hours(24 * 400);
    auto again = cache->current();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->access_key_id, "AKIDLONGTERM");
    EXPECT_EQ(source->started, 1);
    EXPECT_EQ(cache->fetches(), 1u);
}

TEST_F(cache_test, ten_thousand_waiting_requests_share_one_fetch)
{
    std::vector<std::shared_ptr<outcome>> waiting;
    for (int i = 0; i < 10'000; ++i) waiting.push_back(request());
    settle();
    EXPECT_EQ(source->started, 1);
    for (const auto& w : waiting) EXPECT_FALSE(w->done);
    source->succeed(temporary("AKIDFIRST", now + 1h));
    settle();
    for (const auto& w : waiting) {
        ASSERT_TRUE(w->done);
        ASSERT_FALSE(w->ec);
        EXPECT_EQ(w->creds->access_key_id, "AKIDFIRST");
    }
    EXPECT_EQ(source->started, 1);
    EXPECT_EQ(cache->fetches(), 1u);
}

TEST_F(cache_test, valid_credentials_come_without_a_fetch)
{
    prime(temporary("AKIDFIRST", now + 1h));
    now += 44min;  // 16 minutes left: outside the advisory window
    ASSERT_TRUE(cache->current());
    auto later = request();
    settle();
    ASSERT_TRUE(later->done);
    EXPECT_EQ(later->creds->access_key_id, "AKIDFIRST");
    EXPECT_EQ(source->started, 1);
}

TEST_F(cache_test, advisory_window_refreshes_in_the_background_once)
{
    prime(temporary("AKIDFIRST", now + 1h));
    now += 46min;  // 14 minutes left
    for (int i = 0; i < 100; ++i) {
        auto creds = cache->current();
        ASSERT_TRUE(creds);
        EXPECT_EQ(creds->access_key_id, "AKIDFIRST");
    }
    EXPECT_EQ(source->started, 2);
    source->succeed(temporary("AKIDSECOND", now + 1h));
    settle();
    EXPECT_EQ(cache->current()->access_key_id, "AKIDSECOND");
    EXPECT_EQ(source->started, 2);
}

TEST_F(cache_test, mandatory_window_makes_requests_wait_for_one_fetch)
{
    prime(temporary("AKIDFIRST", now + 1h));
    now += 51min;  // 9 minutes left
    EXPECT_FALSE(cache->current());
    auto a = request();
    auto b = request();
    settle();
    EXPECT_FALSE(a->done);
    EXPECT_EQ(source->started, 2);
    source->succeed(temporary("AKIDSECOND", now + 1h));
    settle();
    ASSERT_TRUE(a->done && b->done);
    EXPECT_EQ(a->creds->access_key_id, "AKIDSECOND");
    EXPECT_EQ(b->creds->access_key_id, "AKIDSECOND");
}

TEST_F(cache_test, failed_refresh_keeps_valid_credentials_and_logs_without_secrets)
{
    prime(temporary("AKIDFIRST", now + 1h));
    const std::string secret = cache->current()->secret_access_key;
    now += 51min;
    auto waiting = request();
    settle();
    source->fail("the metadata service did not answer");
    settle();
    ASSERT_TRUE(waiting->done);
    ASSERT_FALSE(waiting->ec);
    EXPECT_EQ(waiting->creds->access_key_id, "AKIDFIRST");
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0],
              "refreshing credentials from scripted source failed: the metadata service did not "
              "answer; using the current ones, which expire in 540 s");
    EXPECT_EQ(logged[0].find(secret), std::string::npos);
    EXPECT_EQ(logged[0].find("token-value"), std::string::npos);

    // Within the retry delay the valid credentials serve without another attempt.
    now += 5s;
    ASSERT_TRUE(cache->current());
    EXPECT_EQ(source->started, 2);
    // After it, requests wait for a new attempt.
    now += 6s;
    EXPECT_FALSE(cache->current());
}

TEST_F(cache_test, failed_fetch_without_valid_credentials_reaches_every_waiter)
{
    prime(temporary("AKIDFIRST", now + 1h));
    now += 2h;
    auto a = request();
    auto b = request();
    settle();
    source->fail("STS said AccessDenied");
    settle();
    for (const auto& r : {a, b}) {
        ASSERT_TRUE(r->done);
        EXPECT_EQ(r->ec, errc::no_credentials);
        EXPECT_EQ(r->diag.message, "STS said AccessDenied");
        EXPECT_FALSE(r->creds);
    }
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0], "getting credentials from scripted source failed: STS said AccessDenied");
    // The next request tries again.
    auto c = request();
    settle();
    EXPECT_EQ(source->started, 3);
    source->succeed(temporary("AKIDTHIRD", now + 1h));
    settle();
    ASSERT_TRUE(c->done);
    EXPECT_EQ(c->creds->access_key_id, "AKIDTHIRD");
}

TEST_F(cache_test, short_lived_credentials_get_proportional_windows)
{
    prime(temporary("AKIDSHORT", now + 2min));
    // Two minutes is inside both windows; they become 60 s and 30 s for these credentials.
    EXPECT_TRUE(cache->current());
    now += 59s;
    EXPECT_TRUE(cache->current());
    EXPECT_EQ(source->started, 1);
    now += 2s;  // 59 s left: advisory
    EXPECT_TRUE(cache->current());
    EXPECT_EQ(source->started, 2);
    source->succeed(temporary("AKIDNEXT", now + 2min));
    settle();
    now += 91s;  // 29 s left: mandatory
    EXPECT_FALSE(cache->current());
}

TEST_F(cache_test, unusable_credentials_from_the_source_are_refused)
{
    auto r = request();
    settle();
    source->succeed(credentials{"AKIDNOSECRET", "", ""});
    settle();
    ASSERT_TRUE(r->done);
    EXPECT_EQ(r->ec, errc::invalid_configuration);
    EXPECT_EQ(r->diag.message, "scripted source: the secret access key is empty");

    auto s = request();
    settle();
    source->succeed(credentials{"AKIDBADTOKEN", "secret", "line\r\nbreak"});
    settle();
    EXPECT_EQ(s->ec, errc::invalid_configuration);
    EXPECT_EQ(s->diag.message,
              "scripted source: the session token holds a control character or surrounding "
              "whitespace, which an HTTP header cannot carry");
}

TEST_F(cache_test, credentials_expired_on_arrival_are_refused)
{
    auto r = request();
    settle();
    source->succeed(temporary("AKIDSTALE", now - 1s));
    settle();
    ASSERT_TRUE(r->done);
    EXPECT_EQ(r->ec, errc::expired_token);
    EXPECT_EQ(r->diag.message, "scripted source gave credentials that have expired already");
    EXPECT_FALSE(cache->current());
}

TEST_F(cache_test, the_provider_interface_returns_a_copy)
{
    diagnostics diag;
    credentials got;
    bool done = false;
    cache->async_get_credentials(diag, [&](error_code ec, credentials c) {
        EXPECT_FALSE(ec);
        got = std::move(c);
        done = true;
    });
    settle();
    source->succeed(temporary("AKIDCOPY", now + 1h));
    settle();
    ASSERT_TRUE(done);
    EXPECT_EQ(got.access_key_id, "AKIDCOPY");
    ASSERT_TRUE(got.expiration);
    EXPECT_EQ(*got.expiration, now + 1h);
}

TEST_F(cache_test, a_cancelled_first_wait_leaves_the_shared_fetch_to_the_others)
{
    asio::cancellation_signal cancel;
    auto first = request();
    auto cancelled = request(&cancel);
    auto third = request();
    settle();
    EXPECT_EQ(source->started, 1);
    cancel.emit(asio::cancellation_type::terminal);
    settle();
    ASSERT_TRUE(cancelled->done);
    EXPECT_EQ(cancelled->ec, asio::error::operation_aborted);
    EXPECT_EQ(cancelled->diag.message,
              "cancelled while waiting for credentials from scripted source");
    EXPECT_FALSE(first->done);
    EXPECT_FALSE(third->done);

    source->succeed(temporary("AKIDFIRST", now + 1h));
    settle();
    for (const auto& w : {first, third}) {
        ASSERT_TRUE(w->done);
        ASSERT_FALSE(w->ec);
        EXPECT_EQ(w->creds->access_key_id, "AKIDFIRST");
    }
    EXPECT_EQ(cancelled->creds, nullptr);
    // Emitting again after the completion reaches nothing.
    cancel.emit(asio::cancellation_type::terminal);
    settle();
    EXPECT_EQ(source->started, 1);
}

TEST_F(cache_test, a_wait_for_a_mandatory_refresh_can_be_cancelled_and_the_refresh_still_lands)
{
    prime(temporary("AKIDFIRST", now + 1h));
    now += 55min;  // 5 minutes left: requests wait
    asio::cancellation_signal cancel;
    auto waiting = request(&cancel);
    settle();
    EXPECT_EQ(source->started, 2);
    cancel.emit(asio::cancellation_type::partial);
    settle();
    ASSERT_TRUE(waiting->done);
    EXPECT_EQ(waiting->ec, asio::error::operation_aborted);

    // Nobody waits any more, yet the refresh fills the cache.
    source->succeed(temporary("AKIDSECOND", now + 1h));
    settle();
    auto current = cache->current();
    ASSERT_TRUE(current);
    EXPECT_EQ(current->access_key_id, "AKIDSECOND");
    EXPECT_EQ(source->started, 2);
}

TEST_F(cache_test, a_timeout_raced_against_the_wait_cancels_only_that_wait)
{
    using namespace asio::experimental::awaitable_operators;
    auto patient = request();
    std::optional<std::size_t> winner;
    diagnostics diag;
    auto impatient = [&]() -> asio::awaitable<void> {
        asio::steady_timer timeout(io, 1ms);
        // The provider interface, through a coroutine: the || operator cancels the loser.
        auto result = co_await (cache->async_get_credentials(diag, asio::use_awaitable) ||
                                timeout.async_wait(asio::use_awaitable));
        winner = result.index();
    };
    asio::co_spawn(io, impatient(), asio::detached);
    io.restart();
    while (!winner) io.run_one();
    EXPECT_EQ(*winner, 1u);
    EXPECT_EQ(source->started, 1);
    EXPECT_FALSE(patient->done);

    source->succeed(temporary("AKIDFIRST", now + 1h));
    settle();
    ASSERT_TRUE(patient->done);
    ASSERT_FALSE(patient->ec);
    EXPECT_EQ(patient->creds->access_key_id, "AKIDFIRST");
}

}  // namespace
