// The callback chains: before, around (each wrapping the rest) and after callbacks.
#include "model/record_engine.hpp"

#include <memory>
#include <string>

namespace dynomite::detail {

namespace asio = boost::asio;
using ra = record_access;

const std::vector<callback>& callbacks_of(const model_base& r, callback_kind kind)
{
    return ra::desc(r).callbacks[static_cast<std::size_t>(kind)];
}

asio::awaitable<bool> run_simple(model_base& r, callback_kind kind)
{
    for (const auto& cb : callbacks_of(r, kind)) {
        bool go_on = true;
        if (cb.sync) {
            go_on = cb.sync(r);
        } else if (cb.async) {
            go_on = co_await cb.async(r);
        }
        if (!go_on) co_return false;
    }
    co_return true;
}

bool run_simple_sync(model_base& r, callback_kind kind)
{
    for (const auto& cb : callbacks_of(r, kind)) {
        if (cb.sync && !cb.sync(r)) return false;
    }
    return true;
}

namespace {

struct around_state {
    bool proceeded = false;
    bool result = false;
};

asio::awaitable<bool> run_arounds(model_base& r, const std::vector<callback>& arounds,
                                  std::size_t i, const step& inner);

asio::awaitable<void> around_step(model_base& r, const std::vector<callback>& arounds,
                                  std::size_t i, const step& inner,
                                  std::shared_ptr<around_state> state)
{
    state->proceeded = true;
    state->result = co_await run_arounds(r, arounds, i, inner);
}

asio::awaitable<bool> run_arounds(model_base& r, const std::vector<callback>& arounds,
                                  std::size_t i, const step& inner)
{
    if (i == arounds.size()) {
        const bool done = co_await inner();
        co_return done;
    }
    auto state = std::make_shared<around_state>();
    proceed next = [&r, &arounds, i, &inner, state]() {
        return around_step(r, arounds, i + 1, inner, state);
    };
    co_await arounds[i].around(r, std::move(next));
    co_return state->proceeded && state->result;
}

}  // namespace

asio::awaitable<bool> run_chain(model_base& r, callback_kind before, callback_kind around,
                                callback_kind after, const step& inner, halt_point& halted)
{
    const bool go_on = co_await run_simple(r, before);
    if (!go_on) {
        halted = halt_point::before;
        co_return false;
    }
    bool inner_ran = false;
    bool inner_result = false;
    const step tracked = [&]() -> asio::awaitable<bool> {
        inner_ran = true;
        inner_result = co_await inner();
        co_return inner_result;
    };
    const bool done = co_await run_arounds(r, callbacks_of(r, around), 0, tracked);
    if (!done) {
        halted = !inner_ran ? halt_point::around : halt_point::inner;
        co_return false;
    }
    co_await run_simple(r, after);
    co_return true;
}

std::string halt_message(std::string_view operation, callback_kind before, callback_kind around)
{
    return std::string(operation) + " halted by a " + std::string(to_string(before)) + " or " +
           std::string(to_string(around)) + " callback";
}

}  // namespace dynomite::detail
