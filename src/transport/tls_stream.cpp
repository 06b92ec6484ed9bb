#include "transport/tls_stream.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace dynomite::detail {

namespace {

/// Holds a whole record (16 KiB and its overhead) with room to spare, so that a large answer
/// arrives in a few socket reads.
constexpr std::size_t receive_buffer_size = 32 * 1024;

}  // namespace

/// The BIO between OpenSSL and a tls_stream's buffers: it never blocks and never touches the
/// socket; "retry" on a read tells the stream to receive.
struct tls_stream_bio {
    static tls_stream& stream(BIO* bio) { return *static_cast<tls_stream*>(BIO_get_data(bio)); }

    static int read(BIO* bio, char* data, std::size_t size, std::size_t* read)
    {
        tls_stream& s = stream(bio);
        BIO_clear_retry_flags(bio);
        const std::size_t have = s.in_end_ - s.in_begin_;
        if (have == 0) {
            if (!s.in_eof_) BIO_set_retry_read(bio);
            *read = 0;
            return 0;
        }
        const std::size_t n = std::min(size, have);
        std::memcpy(data, s.in_.data() + s.in_begin_, n);
        s.in_begin_ += n;
        *read = n;
        return 1;
    }

    static int write(BIO* bio, const char* data, std::size_t size, std::size_t* written)
    {
        BIO_clear_retry_flags(bio);
        stream(bio).out_.append(data, size);
        *written = size;
        return 1;
    }

    static long control(BIO* bio, int command, long, void*)
    {
        tls_stream& s = stream(bio);
        switch (command) {
        case BIO_CTRL_FLUSH:
            return 1;  // the stream sends what was written before its operation completes
        case BIO_CTRL_PENDING:
            return static_cast<long>(s.in_end_ - s.in_begin_);
        case BIO_CTRL_WPENDING:
            return static_cast<long>(s.out_.size());
        case BIO_CTRL_EOF:
            // OpenSSL tells an unexpected end of the connection from "no data yet" by this.
            return s.in_eof_ && s.in_begin_ == s.in_end_ ? 1 : 0;
        default:
            return 0;
        }
    }

    static int create(BIO* bio)
    {
        BIO_set_init(bio, 1);
        return 1;
    }

    static BIO_METHOD* method()
    {
        // Made once and kept for the life of the process, as OpenSSL's own methods are.
        static BIO_METHOD* const made = [] {
            BIO_METHOD* m =
                BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "dynomite tls_stream");
            if (!m) return m;
            BIO_meth_set_read_ex(m, &read);
            BIO_meth_set_write_ex(m, &write);
            BIO_meth_set_ctrl(m, &control);
            BIO_meth_set_create(m, &create);
            return m;
        }();
        return made;
    }
};

tls_stream::tls_stream(executor_type executor, SSL_CTX* context)
    : socket_(std::move(executor)), in_(receive_buffer_size)
{
    BIO_METHOD* method = tls_stream_bio::method();
    ssl_ = method ? SSL_new(context) : nullptr;
    BIO* bio = ssl_ ? BIO_new(method) : nullptr;
    if (!bio) {
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    BIO_set_data(bio, this);
    SSL_set_bio(ssl_, bio, bio);  // one reference for both directions, owned by ssl_
    // Without SSL_MODE_RELEASE_BUFFERS (which Asio's engine sets): the record buffers stay
    // allocated between requests instead of being freed and allocated again for each.
    SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_connect_state(ssl_);
}

tls_stream::~tls_stream() { SSL_free(ssl_); }

bool tls_stream::expect_host(const std::string& host)
{
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    error_code not_address;
    (void)asio::ip::make_address(host, not_address);
    if (!not_address) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
    return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

asio::mutable_buffer tls_stream::receive_space()
{
    if (in_begin_ == in_end_) {
        in_begin_ = in_end_ = 0;
    } else if (in_begin_ != 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    return asio::buffer(in_.data() + in_end_, in_.size() - in_end_);
}

tls_stream::outcome tls_stream::classify(int ret, std::size_t bytes)
{
    if (ret > 0) return {false, {}, bytes};
    const int failure = SSL_get_error(ssl_, ret);
    const unsigned long first = ERR_get_error();
    ERR_clear_error();  // the next call's SSL_get_error must not see these
    const error_code truncated = asio::ssl::error::stream_truncated;
    switch (failure) {
    case SSL_ERROR_WANT_READ:
        if (in_eof_) return {false, truncated, 0};
        return {true, {}, 0};
    case SSL_ERROR_ZERO_RETURN:
        return {false, asio::error::eof, 0};
    case SSL_ERROR_SSL:
        if (ERR_GET_REASON(first) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            return {false, truncated, 0};
        return {false, error_code(static_cast<int>(first), asio::error::get_ssl_category()), 0};
    case SSL_ERROR_SYSCALL:
        // The BIO makes no system call: the only way here is the connection's end.
        return {false, truncated, 0};
    default:
        return {false, asio::ssl::error::unexpected_result, 0};
    }
}

namespace {

/// OpenSSL requires the thread's error queue to be empty before an I/O call, for
/// SSL_get_error to read the call's outcome; other OpenSSL users may have left entries there.
/// Looking costs less than clearing, which Asio's engine does before every call.
void clear_stale_errors()
{
    if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace

tls_stream::outcome tls_stream::handshake_step::operator()() const
{
    clear_stale_errors();
    return stream.classify(SSL_do_handshake(stream.ssl_), 0);
}

bool tls_stream::read_step::receive_first() const noexcept
{
    return stream.in_begin_ == stream.in_end_ && !stream.in_eof_ &&
           SSL_is_init_finished(stream.ssl_) && !SSL_has_pending(stream.ssl_);
}

tls_stream::outcome tls_stream::read_step::operator()() const
{
    return stream.transfer(into, &SSL_read_ex);
}

tls_stream::outcome tls_stream::write_step::operator()() const
{
    return stream.transfer(from, &SSL_write_ex);
}

template <class Buffer, class Call>
tls_stream::outcome tls_stream::transfer(Buffer buffer, Call call)
{
    if (buffer.size() == 0) return {};
    clear_stale_errors();
    std::size_t done = 0;
    const int ret = call(ssl_, buffer.data(), buffer.size(), &done);
    return classify(ret, done);
}

}  // namespace dynomite::detail
