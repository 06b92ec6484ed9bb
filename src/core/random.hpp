// The library's one source of randomness for jitter and generated names: a per-thread engine,
// seeded once from the system, so that threads never share (or lock) one.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace dynomite::detail {

inline std::mt19937_64& random_engine()
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine;
}

/// Uniform in [0, 1).
inline double random_unit()
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_engine());
}

/// Uniform in [0, n); n must be positive.
inline std::size_t random_below(std::size_t n)
{
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_engine());
}

/// `n` characters from [0-9A-Za-z]: client request tokens, unique names.
inline std::string random_alphanumeric(std::size_t n)
{
    static constexpr std::string_view alphabet =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(alphabet[random_below(alphabet.size())]);
    return out;
}

}  // namespace dynomite::detail
