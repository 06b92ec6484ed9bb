#include "transport/strands.hpp"

#include <dynomite/core/async_operation.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

namespace dynomite::detail {

namespace asio = boost::asio;

namespace {
using io_strand = asio::strand<asio::io_context::executor_type>;
using pool_strand = asio::strand<asio::thread_pool::executor_type>;
using any_strand = asio::strand<asio::any_io_executor>;
}  // namespace

asio::any_io_executor make_client_strand(const asio::any_io_executor& executor)
{
    if (const auto* io = executor.target<asio::io_context::executor_type>())
        return io_strand(*io);
    if (const auto* pool = executor.target<asio::thread_pool::executor_type>())
        return pool_strand(*pool);
    return any_strand(executor);
}

asio::any_io_executor beneath_strand(const asio::any_io_executor& executor)
{
    if (const auto* strand = executor.target<io_strand>()) return strand->get_inner_executor();
    if (const auto* strand = executor.target<pool_strand>()) return strand->get_inner_executor();
    if (const auto* strand = executor.target<any_strand>()) return strand->get_inner_executor();
    return executor;
}

bool same_executor(const asio::any_io_executor& a, const asio::any_io_executor& b)
{
    return a == b || holds_same_executor<asio::io_context::executor_type>(a, b) ||
           holds_same_executor<asio::thread_pool::executor_type>(a, b) ||
           holds_same_executor<io_strand>(a, b) || holds_same_executor<pool_strand>(a, b) ||
           holds_same_executor<any_strand>(a, b);
}

}  // namespace dynomite::detail
