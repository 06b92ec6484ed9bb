// The callables a schema accepts (callbacks, around callbacks, conditions and custom
// validators, synchronous or awaitable, taking the model or a member function) adapted to the
// type-erased forms model_descriptor stores.
#pragma once

#include <dynomite/model/detail/model_descriptor.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace dynomite::detail {

template <class T, class F>
boost::asio::awaitable<bool> invoke_async_callback(const F& f, model_base& record)
{
    using result = std::invoke_result_t<const F&, T&>;
    if constexpr (std::is_same_v<result, boost::asio::awaitable<void>>) {
        co_await std::invoke(f, static_cast<T&>(record));
        co_return true;
    } else {
        const bool go_on = co_await std::invoke(f, static_cast<T&>(record));
        co_return go_on;
    }
}

template <class T, class F>
callback make_callback(F f)
{
    using result = std::invoke_result_t<F&, T&>;
    callback cb;
    if constexpr (std::is_same_v<result, boost::asio::awaitable<void>> ||
                  std::is_same_v<result, boost::asio::awaitable<bool>>) {
        cb.async = [f = std::move(f)](model_base& record) {
            return invoke_async_callback<T>(f, record);
        };
    } else {
        static_assert(std::is_void_v<result> || std::is_same_v<result, bool> ||
                          std::is_same_v<result, callback_result>,
                      "a callback returns void, bool, dynomite::callback_result, or an "
                      "awaitable of void or bool");
        cb.sync = [f = std::move(f)](model_base& record) -> bool {
            if constexpr (std::is_void_v<result>) {
                std::invoke(f, static_cast<T&>(record));
                return true;
            } else if constexpr (std::is_same_v<result, bool>) {
                return std::invoke(f, static_cast<T&>(record));
            } else {
                return std::invoke(f, static_cast<T&>(record)) != callback_result::halt;
            }
        };
    }
    return cb;
}

template <class T, class F>
callback make_around_callback(F f)
{
    static_assert(
        std::is_same_v<std::invoke_result_t<F&, T&, proceed>, boost::asio::awaitable<void>>,
        "an around callback takes (Model&, dynomite::proceed) and returns "
        "boost::asio::awaitable<void>");
    callback cb;
    cb.around = [f = std::move(f)](model_base& record, proceed next) {
        return std::invoke(f, static_cast<T&>(record), std::move(next));
    };
    return cb;
}

template <class T, class P>
record_predicate make_predicate(P p)
{
    return [p = std::move(p)](const model_base& record) {
        return static_cast<bool>(std::invoke(p, static_cast<const T&>(record)));
    };
}

template <class T, class F>
boost::asio::awaitable<void> invoke_async_validator(const F& f, model_base& record,
                                                    model_errors& errors)
{
    if constexpr (std::is_invocable_v<const F&, const T&, model_errors&>) {
        co_await std::invoke(f, static_cast<const T&>(record), errors);
    } else {
        co_await std::invoke(f, static_cast<T&>(record));
    }
}

}  // namespace dynomite::detail
