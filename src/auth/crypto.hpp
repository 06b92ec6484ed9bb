// SHA-256 and HMAC-SHA256 over OpenSSL, and lowercase hex, for request signing.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace dynomite::detail {

inline constexpr std::size_t sha256_size = 32;
inline constexpr std::size_t sha256_block_size = 64;
using sha256_digest = std::array<unsigned char, sha256_size>;

/// Incremental SHA-256. The OpenSSL context is created once and reused across digests
/// without allocating.
class sha256_hasher {
public:
    sha256_hasher();
    ~sha256_hasher();
    sha256_hasher(const sha256_hasher&) = delete;
    sha256_hasher& operator=(const sha256_hasher&) = delete;

    void update(std::string_view data);
    void update(std::span<const unsigned char> data);
    /// Discards any message in progress.
    void reset();
    /// The digest of everything given since construction or the previous finish();
    /// the hasher is then ready for a new message.
    sha256_digest finish();

private:
    // SHA256_CTX, or EVP_MD_CTX where OpenSSL is built without SHA256_Init.
    void* ctx_;
};

/// Incremental HMAC-SHA256 (RFC 2104) with a key fixed at construction.
class hmac_sha256_hasher {
public:
    /// A hasher with an empty key, for rekey() to set one.
    hmac_sha256_hasher();
    explicit hmac_sha256_hasher(std::span<const unsigned char> key);
    explicit hmac_sha256_hasher(std::string_view key);
    /// Wipes the key material.
    ~hmac_sha256_hasher();

    /// Discards any message in progress and starts a new one under `key`; reusing a hasher
    /// this way keeps its OpenSSL contexts.
    void rekey(std::span<const unsigned char> key);

    void update(std::string_view data) { inner_.update(data); }
    /// The MAC of everything given since construction or the previous finish();
    /// the hasher is then ready for a new message under the same key.
    sha256_digest finish();

private:
    void start_inner();

    std::array<unsigned char, sha256_block_size> key_block_{};
    sha256_hasher inner_;
    sha256_hasher outer_;
};

sha256_digest sha256(std::string_view data);
sha256_digest hmac_sha256(std::span<const unsigned char> key, std::string_view data);
sha256_digest hmac_sha256(std::string_view key, std::string_view data);

/// Writes 2 * bytes.size() lowercase hex digits at out.
void write_hex(std::span<const unsigned char> bytes, char* out) noexcept;
void append_hex(std::string& out, std::span<const unsigned char> bytes);
std::string to_hex(std::span<const unsigned char> bytes);

}  // namespace dynomite::detail
