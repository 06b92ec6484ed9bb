#include <dynomite/detail/crc32.hpp>

#include <array>
#include <cstddef>

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

}  // namespace

std::uint32_t crc32_update(std::uint32_t crc, std::string_view chunk) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(chunk.data());
    std::size_t size = chunk.size();
    crc = ~crc;
    for (; size >= 8; p += 8, size -= 8) {
        const std::uint32_t low = load_le32(p) ^ crc;
        const std::uint32_t high = load_le32(p + 4);
        crc = tables[7][low & 0xffu] ^ tables[6][(low >> 8) & 0xffu] ^
              tables[5][(low >> 16) & 0xffu] ^ tables[4][low >> 24] ^ tables[3][high & 0xffu] ^
              tables[2][(high >> 8) & 0xffu] ^ tables[1][(high >> 16) & 0xffu] ^
              tables[0][high >> 24];
    }
    for (; size > 0; ++p, --size) crc = (crc >> 8) ^ tables[0][(crc ^ *p) & 0xffu];
    return ~crc;
}

}  // namespace dynomite::detail
