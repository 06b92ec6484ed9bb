#include "transport/crc32.hpp"

#include <array>
#include <cstddef>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DYNOMITE_CRC32_CLMUL 1
#endif

namespace dynomite::detail {
namespace {

// Slicing-by-8: tables[k][b] is the CRC of byte b followed by k zero bytes, so eight input bytes
// are folded with eight independent lookups instead of eight dependent ones.
using crc_tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr crc_tables make_tables()
{
    crc_tables tables{};
    for (std::uint32_t byte = 0; byte < 256; ++byte) {
        std::uint32_t crc = byte;
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0xEDB88320u : 0u);
        tables[0][byte] = crc;
    }
    for (std::size_t k = 1; k < tables.size(); ++k) {
        for (std::size_t byte = 0; byte < 256; ++byte) {
            const std::uint32_t previous = tables[k - 1][byte];
            tables[k][byte] = (previous >> 8) ^ tables[0][previous & 0xffu];
        }
    }
    return tables;
}

constexpr crc_tables tables = make_tables();

std::uint32_t load_le32(const unsigned char* p) noexcept
{
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

/// The CRC register (no inversion on either side) after `size` more bytes.
std::uint32_t register_after(std::uint32_t crc, const unsigned char* p, std::size_t size) noexcept
{
    for (; size >= 8; p += 8, size -= 8) {
        const std::uint32_t low = load_le32(p) ^ crc;
        const std::uint32_t high = load_le32(p + 4);
        crc = tables[7][low & 0xffu] ^ tables[6][(low >> 8) & 0xffu] ^
              tables[5][(low >> 16) & 0xffu] ^ tables[4][low >> 24] ^ tables[3][high & 0xffu] ^
              tables[2][(high >> 8) & 0xffu] ^ tables[1][(high >> 16) & 0xffu] ^
              tables[0][high >> 24];
    }
    for (; size > 0; ++p, --size) crc = (crc >> 8) ^ tables[0][(crc ^ *p) & 0xffu];
    return crc;
}

#ifdef DYNOMITE_CRC32_CLMUL

// Folding (Intel, "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"): 16-byte
// lanes are multiplied forward by x^n mod P and added to the data n bits later, which keeps the
// remainder. The constants are x^(n+32) and x^(n-32) mod P, bit-reflected, for n = 512 (four
// lanes at a time) and n = 128 (one lane).
__attribute__((target("pclmul"))) inline __m128i fold(__m128i lane, __m128i constants,
                                                      __m128i next) noexcept
{
    const __m128i low = _mm_clmulepi64_si128(lane, constants, 0x00);
    const __m128i high = _mm_clmulepi64_si128(lane, constants, 0x11);
    return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

__attribute__((target("pclmul"))) std::uint32_t register_after_clmul(
    std::uint32_t crc, const unsigned char* p, std::size_t size) noexcept
{
    const auto load = [](const unsigned char* at) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    };
    // The register enters as an addition to the first four bytes.
    __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(crc)));
    __m128i x1 = load(p + 16);
    __m128i x2 = load(p + 32);
    __m128i x3 = load(p + 48);
    p += 64;
    size -= 64;
    const __m128i by_four = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
    for (; size >= 64; p += 64, size -= 64) {
        x0 = fold(x0, by_four, load(p));
        x1 = fold(x1, by_four, load(p + 16));
        x2 = fold(x2, by_four, load(p + 32));
        x3 = fold(x3, by_four, load(p + 48));
    }
    const __m128i by_one = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
    x0 = fold(x0, by_one, x1);
    x0 = fold(x0, by_one, x2);
    x0 = fold(x0, by_one, x3);
    for (; size >= 16; p += 16, size -= 16) x0 = fold(x0, by_one, load(p));
    // The 16 bytes left stand for everything read so far: their CRC, from a zero register, is
    // the register after it. The tables finish them and the tail.
    alignas(16) unsigned char folded[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(folded), x0);
    return register_after(register_after(0, folded, sizeof folded), p, size);
}

bool processor_has_clmul() noexcept
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") != 0;
}

#endif

}  // namespace

std::uint32_t crc32_update_portable(std::uint32_t crc, std::string_view chunk) noexcept
{
    return ~register_after(~crc, reinterpret_cast<const unsigned char*>(chunk.data()),
                           chunk.size());
}

bool crc32_uses_clmul() noexcept
{
#ifdef DYNOMITE_CRC32_CLMUL
    static const bool available = processor_has_clmul();
    return available;
#else
    return false;
#endif
}

std::uint32_t crc32_update(std::uint32_t crc, std::string_view chunk) noexcept
{
#ifdef DYNOMITE_CRC32_CLMUL
    // Below 64 bytes there is not a block of four lanes to fold.
    if (chunk.size() >= 64 && crc32_uses_clmul()) {
        return ~register_after_clmul(~crc, reinterpret_cast<const unsigned char*>(chunk.data()),
                                     chunk.size());
    }
#endif
    return crc32_update_portable(crc, chunk);
}

}  // namespace dynomite::detail
