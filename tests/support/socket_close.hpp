// Two ways the fakes end a connection: a reset (RST, as a crashed peer does) and a clean close.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>

namespace dynomite::test {

/// Closes with SO_LINGER 0, so that the peer reads ECONNRESET.
inline void reset(boost::asio::ip::tcp::socket& socket)
{
    boost::system::error_code ignored;
    socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

/// Sends FIN after what was written, then closes.
inline void close_gracefully(boost::asio::ip::tcp::socket& socket)
{
    boost::system::error_code ignored;
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
}

}  // namespace dynomite::test
