#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/core/async_operation.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <utility>

namespace dynomite {

namespace asio = boost::asio;

void coroutine_credentials_provider::start_get_credentials(diagnostics& diag,
                                                           handler_type handler)
{
    auto self = shared_from_this();
    auto handler_executor = asio::get_associated_executor(handler, executor_);
    auto run = [](std::shared_ptr<coroutine_credentials_provider> self,
                  diagnostics* diag) -> asio::awaitable<std::pair<error_code, credentials>> {
        credentials out;
        const error_code ec = co_await self->fetch(out, *diag);
        if (ec) co_return std::pair{ec, credentials{}};
        co_return std::pair{error_code{}, std::move(out)};
    };
    asio::co_spawn(executor_, run(std::move(self), &diag),
                   asio::bind_executor(
                       handler_executor,
                       [handler = std::move(handler), diag = &diag](
                           std::exception_ptr failure,
                           std::pair<error_code, credentials> result) mutable {
                           if (failure) {
                               const error_code ec = detail::spawn_failure_code(failure);
                               if (diag->message.empty()) diag->message = ec.message();
                               std::move(handler)(ec, credentials{});
                               return;
                           }
                           std::move(handler)(result.first, std::move(result.second));
                       }));
}

static_credentials_provider::static_credentials_provider(asio::any_io_executor executor,
                                                         credentials creds, std::string_view name)
    : coroutine_credentials_provider(std::move(executor)), creds_(std::move(creds)), name_(name)
{
}

asio::awaitable<error_code> static_credentials_provider::fetch(credentials& out, diagnostics&)
{
    out = creds_;
    co_return error_code{};
}

}  // namespace dynomite
