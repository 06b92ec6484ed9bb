// A TLS client stream over a TCP socket that drives OpenSSL itself. OpenSSL reads records
// from the stream's receive buffer and writes them to its send buffer (a BIO of the stream's
// own), and the stream moves those buffers with one socket read or write at a time. Asio's
// engine does the same through a pair of memory BIOs, with a copy into each, and clears
// OpenSSL's error queue and counts the pending output around every call; a GetItem through
// it cost 0.8 to 1 µs of CPU more than over this stream (docs/performance.md).
#pragma once

#include <dynomite/core/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::detail {

namespace asio = boost::asio;

/// One operation at a time: a read and a write share OpenSSL's state and the send buffer.
class tls_stream {
public:
    using executor_type = asio::any_io_executor;

    /// A client of `context`'s settings (trust store, verify mode, protocol versions).
    /// Throws std::bad_alloc when OpenSSL cannot make the connection's state.
    tls_stream(executor_type executor, SSL_CTX* context);
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;
    ~tls_stream();

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    asio::ip::tcp::socket& socket() noexcept { return socket_; }
    const asio::ip::tcp::socket& socket() const noexcept { return socket_; }
    SSL* native_handle() noexcept { return ssl_; }

    /// The handshake then requires the server's certificate to name `host`: an IP address
    /// among its IP alt names, a DNS name among its DNS alt names (or its common name when it
    /// has none), as X509_check_ip_asc and X509_check_host check them; a certificate that
    /// does not fails the handshake as an unverified one. False when OpenSSL refuses `host`.
    bool expect_host(const std::string& host);

    /// Completes with (error_code, 0). Failures are OpenSSL's, in Asio's SSL category (a
    /// refused certificate is SSL_R_CERTIFICATE_VERIFY_FAILED), the socket's, or
    /// asio::ssl::error::stream_truncated when the connection ends without a TLS close.
    template <class Token>
    auto async_handshake(Token&& token)
    {
        return async_step(handshake_step{*this}, std::forward<Token>(token));
    }

    /// At most one record's plaintext, into the first non-empty buffer; asio::error::eof
    /// after the server's close_notify.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token)
    {
        return async_step(read_step{*this, first_non_empty(buffers)}, std::forward<Token>(token));
    }

    /// Small buffers (a request's head and body) are joined into one record; otherwise the
    /// first buffer, up to max_write_chunk bytes. The records go out in one socket write.
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token)
    {
        return async_step(write_step{*this, joined(buffers)}, std::forward<Token>(token));
    }

    /// The most plaintext one write_some takes from a large buffer.
    static constexpr std::size_t max_write_chunk = 64 * 1024;
    /// Buffers whose total is at most this are joined into one record.
    static constexpr std::size_t max_joined = 16 * 1024;

private:
    friend struct tls_stream_bio;

    /// What an OpenSSL call left to do.
    struct outcome {
        bool want_read = false;
        error_code ec;
        std::size_t bytes = 0;
    };
    struct handshake_step {
        tls_stream& stream;
        bool receive_first() const noexcept { return false; }
        outcome operator()() const;
    };
    struct read_step {
        tls_stream& stream;
        asio::mutable_buffer into;
        /// Nothing to decrypt yet: reading the socket first saves a call that would fail.
        bool receive_first() const noexcept;
        outcome operator()() const;
    };
    struct write_step {
        tls_stream& stream;
        asio::const_buffer from;
        bool receive_first() const noexcept { return false; }
        outcome operator()() const;
    };
    template <class Step>
    struct io_op;

    template <class Step, class Token>
    auto async_step(Step step, Token&& token)
    {
        return asio::async_compose<Token, void(error_code, std::size_t)>(
            io_op<Step>{std::move(step)}, token, socket_);
    }

    template <class MutableBuffers>
    static asio::mutable_buffer first_non_empty(const MutableBuffers& buffers)
    {
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it)
            if (asio::mutable_buffer b(*it); b.size() != 0) return b;
        return {};
    }
    template <class ConstBuffers>
    asio::const_buffer joined(const ConstBuffers& buffers)
    {
        std::size_t total = 0;
        std::size_t non_empty = 0;
        asio::const_buffer first;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it) {
            const asio::const_buffer b(*it);
            if (b.size() == 0) continue;
            if (non_empty++ == 0) first = b;
            total += b.size();
        }
        if (non_empty <= 1 || total > max_joined)
            return asio::buffer(first.data(), std::min(first.size(), max_write_chunk));
        joined_.resize(total);
        asio::buffer_copy(asio::buffer(joined_), buffers);
        return asio::buffer(joined_);
    }

    /// SSL_read_ex or SSL_write_ex over `buffer`, classified.
    template <class Buffer, class Call>
    outcome transfer(Buffer buffer, Call call);
    /// The result `ret` of an SSL call, with the error queue drained.
    outcome classify(int ret, std::size_t bytes);
    /// Room at the end of the receive buffer, which is first compacted.
    asio::mutable_buffer receive_space();

    asio::ip::tcp::socket socket_;
    SSL* ssl_ = nullptr;
    /// Received and not yet taken by OpenSSL: in_[in_begin_, in_end_).
    std::vector<unsigned char> in_;
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    /// The server closed the TCP connection.
    bool in_eof_ = false;
    /// Records OpenSSL wrote, sent before the operation completes.
    std::string out_;
    std::string joined_;
};

/// Drives one step: OpenSSL's call, then the send of what it wrote, then a receive while it
/// wants more input, and again.
template <class Step>
struct tls_stream::io_op {
    Step step;
    enum class state { start, sending, receiving, completing } at = state::start;
    outcome last{};

    template <class Self>
    void operator()(Self& self, error_code ec = {}, std::size_t n = 0)
    {
        tls_stream& s = step.stream;
        switch (at) {
        case state::completing:
            return self.complete(last.ec, last.bytes);
        case state::sending:
            s.out_.clear();
            // OpenSSL's own failure (a refused certificate, after its alert) is what counts.
            if (!last.want_read && last.ec) return self.complete(last.ec, 0);
            if (ec) return self.complete(ec, 0);
            if (!last.want_read) return self.complete(last.ec, last.bytes);
            return receive(self);
        case state::receiving:
            if (ec == asio::error::eof)
                s.in_eof_ = true;
            else if (ec)
                return self.complete(ec, 0);
            s.in_end_ += n;
            break;
        case state::start:
            if (step.receive_first()) return receive(self);
            break;
        }
        last = step();
        if (!s.out_.empty()) {
            at = state::sending;
            asio::async_write(s.socket_, asio::buffer(s.out_), std::move(self));
            return;
        }
        if (last.want_read) return receive(self);
        if (at == state::start) {
            // Done without waiting: complete as if it had, never inside the initiation.
            at = state::completing;
            asio::post(s.socket_.get_executor(), std::move(self));
            return;
        }
        self.complete(last.ec, last.bytes);
    }

private:
    template <class Self>
    void receive(Self& self)
    {
        at = state::receiving;
        tls_stream& s = step.stream;
        s.socket_.async_read_some(s.receive_space(), std::move(self));
    }
};

}  // namespace dynomite::detail
