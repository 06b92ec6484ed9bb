// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): zlib's crc32 and DynamoDB's x-amz-crc32.
#pragma once

#include <cstdint>
#include <string_view>

namespace dynomite::detail {

/// Continues a CRC with `chunk`, zlib style: the state starts at 0 and
/// crc32_update(crc32(a), b) == crc32(a + b).
std::uint32_t crc32_update(std::uint32_t crc, std::string_view chunk) noexcept;

inline std::uint32_t crc32(std::string_view data) noexcept
{
    return crc32_update(0, data);
}

}  // namespace dynomite::detail
