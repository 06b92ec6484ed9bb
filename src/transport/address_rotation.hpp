// Spreads new connections over every address a host name resolved to, sans-io: each new
// connection starts at the next address in turn and falls back to the ones after it.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <vector>

namespace dynomite::detail {

class address_rotation {
public:
    using address = boost::asio::ip::tcp::endpoint;

    /// New resolver results; the turn carries on where it was, so that re-resolving the
    /// same addresses does not send the next connection back to the first.
    void reset(std::vector<address> addresses)
    {
        addresses_ = std::move(addresses);
        if (!addresses_.empty()) next_ %= addresses_.size();
    }

    bool empty() const noexcept { return addresses_.empty(); }
    const std::vector<address>& addresses() const noexcept { return addresses_; }

    /// The order in which the next new connection tries the addresses: all of them, starting
    /// one further than the previous connection did.
    std::vector<address> next_order()
    {
        std::vector<address> order;
        order.reserve(addresses_.size());
        for (std::size_t i = 0; i < addresses_.size(); ++i)
            order.push_back(addresses_[(next_ + i) % addresses_.size()]);
        if (!addresses_.empty()) next_ = (next_ + 1) % addresses_.size();
        return order;
    }

private:
    std::vector<address> addresses_;
    std::size_t next_ = 0;
};

}  // namespace dynomite::detail
