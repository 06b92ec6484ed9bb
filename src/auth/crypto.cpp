// SHA-256 through OpenSSL's SHA256_* functions where the build of OpenSSL has them: in
// OpenSSL 3.0, EVP_DigestInit_ex frees and allocates the digest's provider context again for
// every message, four times per signed request. They are deprecated in 3.0 but not removed;
// a build without them uses EVP.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "auth/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <stdexcept>

namespace dynomite::detail {
namespace {

void check(int openssl_result)
{
    if (openssl_result != 1) throw std::runtime_error("OpenSSL SHA-256 computation failed");
}

#ifdef OPENSSL_NO_DEPRECATED_3_0
const EVP_MD* sha256_algorithm()
{
    // Fetched once: EVP_sha256() would repeat the provider lookup on every initialisation.
    // Never freed, as OpenSSL may already be torn down when static destructors run.
    static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched != nullptr) return fetched;
    return EVP_sha256();
}

EVP_MD_CTX* context(void* ctx) { return static_cast<EVP_MD_CTX*>(ctx); }
#else
SHA256_CTX* context(void* ctx) { return static_cast<SHA256_CTX*>(ctx); }
#endif

}  // namespace

#ifdef OPENSSL_NO_DEPRECATED_3_0
sha256_hasher::sha256_hasher() : ctx_(EVP_MD_CTX_new())
{
    if (ctx_ == nullptr) throw std::bad_alloc();
    if (EVP_DigestInit_ex(context(ctx_), sha256_algorithm(), nullptr) != 1) {
        EVP_MD_CTX_free(context(ctx_));
        throw std::runtime_error("OpenSSL SHA-256 initialisation failed");
    }
}

sha256_hasher::~sha256_hasher()
{
    EVP_MD_CTX_free(context(ctx_));
}

void sha256_hasher::update(std::span<const unsigned char> data)
{
    check(EVP_DigestUpdate(context(ctx_), data.data(), data.size()));
}

sha256_digest sha256_hasher::finish()
{
    sha256_digest digest;
    unsigned int length = 0;
    check(EVP_DigestFinal_ex(context(ctx_), digest.data(), &length));
    reset();
    return digest;
}

void sha256_hasher::reset()
{
    check(EVP_DigestInit_ex(context(ctx_), sha256_algorithm(), nullptr));
}
#else
sha256_hasher::sha256_hasher() : ctx_(new SHA256_CTX)
{
    reset();
}

sha256_hasher::~sha256_hasher()
{
    OPENSSL_cleanse(ctx_, sizeof(SHA256_CTX));
    delete context(ctx_);
}

void sha256_hasher::update(std::span<const unsigned char> data)
{
    check(SHA256_Update(context(ctx_), data.data(), data.size()));
}

sha256_digest sha256_hasher::finish()
{
    sha256_digest digest;
    check(SHA256_Final(digest.data(), context(ctx_)));
    reset();
    return digest;
}

void sha256_hasher::reset()
{
    check(SHA256_Init(context(ctx_)));
}
#endif

void sha256_hasher::update(std::string_view data)
{
    update(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(data.data()),
                                          data.size()));
}

hmac_sha256_hasher::hmac_sha256_hasher()
{
    start_inner();
}

hmac_sha256_hasher::hmac_sha256_hasher(std::span<const unsigned char> key)
{
    rekey(key);
}

hmac_sha256_hasher::~hmac_sha256_hasher()
{
    OPENSSL_cleanse(key_block_.data(), key_block_.size());
}

hmac_sha256_hasher::hmac_sha256_hasher(std::string_view key)
    : hmac_sha256_hasher(std::span<const unsigned char>(
          reinterpret_cast<const unsigned char*>(key.data()), key.size()))
{
}

void hmac_sha256_hasher::rekey(std::span<const unsigned char> key)
{
    inner_.reset();
    key_block_.fill(0);
    if (key.size() > sha256_block_size) {
        inner_.update(key);
        const sha256_digest hashed = inner_.finish();
        std::copy(hashed.begin(), hashed.end(), key_block_.begin());
    } else {
        std::copy(key.begin(), key.end(), key_block_.begin());
    }
    start_inner();
}

void hmac_sha256_hasher::start_inner()
{
    std::array<unsigned char, sha256_block_size> pad;
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = key_block_[i] ^ 0x36;
    inner_.update(pad);
}

sha256_digest hmac_sha256_hasher::finish()
{
    const sha256_digest inner_digest = inner_.finish();
    std::array<unsigned char, sha256_block_size> pad;
    for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = key_block_[i] ^ 0x5c;
    outer_.update(pad);
    outer_.update(inner_digest);
    const sha256_digest mac = outer_.finish();
    start_inner();
    return mac;
}

sha256_digest sha256(std::string_view data)
{
    thread_local sha256_hasher hasher;
    hasher.update(data);
    return hasher.finish();
}

sha256_digest hmac_sha256(std::span<const unsigned char> key, std::string_view data)
{
    hmac_sha256_hasher hasher(key);
    hasher.update(data);
    return hasher.finish();
}

sha256_digest hmac_sha256(std::string_view key, std::string_view data)
{
    hmac_sha256_hasher hasher(key);
    hasher.update(data);
    return hasher.finish();
}

// The two lowercase hex digits of each byte value: one table lookup and one two-byte copy per
// byte, where nibble by nibble took twice the instructions (three digests per request).
constexpr std::array<std::array<char, 2>, 256> hex_pairs = [] {
    constexpr char digits[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> pairs{};
    for (std::size_t i = 0; i < pairs.size(); ++i) pairs[i] = {digits[i >> 4], digits[i & 0x0f]};
    return pairs;
}();

void write_hex(std::span<const unsigned char> bytes, char* out) noexcept
{
    for (const unsigned char byte : bytes) {
        std::memcpy(out, hex_pairs[byte].data(), 2);
        out += 2;
    }
}

void append_hex(std::string& out, std::span<const unsigned char> bytes)
{
    const std::size_t start = out.size();
    out.resize(start + 2 * bytes.size());
    write_hex(bytes, out.data() + start);
}

std::string to_hex(std::span<const unsigned char> bytes)
{
    std::string out;
    append_hex(out, bytes);
    return out;
}

}  // namespace dynomite::detail
