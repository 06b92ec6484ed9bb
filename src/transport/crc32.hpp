// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): zlib's crc32 and DynamoDB's x-amz-crc32.
#pragma once

#include <cstdint>
#include <string_view>

namespace dynomite::detail {

/// Continues a CRC with `chunk`, zlib style: the state starts at 0 and
/// crc32_update(crc32(a), b) == crc32(a + b). Uses carry-less multiplication where the
/// processor has it, else crc32_update_portable.
std::uint32_t crc32_update(std::uint32_t crc, std::string_view chunk) noexcept;

inline std::uint32_t crc32(std::string_view data) noexcept
{
    return crc32_update(0, data);
}

/// The same by tables alone (slicing by 8), on any processor.
std::uint32_t crc32_update_portable(std::uint32_t crc, std::string_view chunk) noexcept;

/// Whether crc32_update folds with carry-less multiplication (x86-64 PCLMULQDQ) here.
bool crc32_uses_clmul() noexcept;

}  // namespace dynomite::detail
