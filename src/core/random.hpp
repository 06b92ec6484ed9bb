// The library's one source of randomness for jitter and generated names: a per-thread engine,
// seeded once from the system, so that threads never share (or lock) one; and tokens that must
// not repeat across processes, straight from the system.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace dynomite::detail {

inline std::mt19937_64& random_engine()
{
    // Seeded with 256 bits: with one 32-bit word, two of many processes would likely share a
    // seed, and so the generated ids of the records they create.
    thread_local std::mt19937_64 engine = [] {
        std::random_device system;
        std::seed_seq seed{system(), system(), system(), system(),
                           system(), system(), system(), system()};
        return std::mt19937_64(seed);
    }();
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

/// A version 4 UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" in lowercase hex (36 characters),
/// as the AWS SDKs make idempotency tokens. Its 122 random bits come from the system's source
/// itself: a token repeated by another process within 10 minutes would make DynamoDB take one's
/// write for a retry of the other's.
inline std::string random_uuid()
{
    thread_local std::random_device system;
    std::array<unsigned char, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); i += 4) {
        const std::uint32_t word = system();
        for (std::size_t k = 0; k < 4; ++k)
            bytes[i + k] = static_cast<unsigned char>(word >> (8 * k));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // the RFC 4122 variant
    static constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[bytes[i] >> 4]);
        out.push_back(hex[bytes[i] & 0x0f]);
    }
    return out;
}

}  // namespace dynomite::detail
