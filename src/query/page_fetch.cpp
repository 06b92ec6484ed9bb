// One page of a planned Query or Scan.
#include "core/async.hpp"
#include "expr/condition_evaluator.hpp"
#include "query/page_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dynomite::detail {

page_request next_page_request(const page_request& planned, const pagination& pages)
{
    page_request request = planned;
    std::visit([&](auto& r) { pages.prepare(r); }, request);
    return request;
}

boost::asio::awaitable<std::pair<error_code, page_response>> fetch_page(dynomite::client cl,
                                                                        page_request request,
                                                                        diagnostics& diag)
{
    if (auto* query = std::get_if<query_request>(&request)) {
        auto [ec, response] = co_await cl.async_execute(std::move(*query), diag, use_tuple);
        co_return std::pair{ec, page_response(std::move(response))};
    }
    auto [ec, response] =
        co_await cl.async_execute(std::move(std::get<scan_request>(request)), diag, use_tuple);
    co_return std::pair{ec, page_response(std::move(response))};
}

std::vector<attribute_map> take_page_items(const query_plan& plan, pagination& pages,
                                           page_response& response)
{
    std::vector<attribute_map> items = std::move(response.items);
    keep_matching(plan.residual, items);
    pages.on_page(items, std::move(response.last_evaluated_key));
    // After on_page, which may need them for the position of a page cut short.
    remove_attributes(plan.residual_only_attributes, items);
    return items;
}

std::int64_t take_page_count(const query_plan& plan, pagination& pages, page_response& response)
{
    if (plan.residual.empty())
        return pages.on_count(response.count, std::move(response.last_evaluated_key));
    // The client's conditions decide: count the items that satisfy them.
    return static_cast<std::int64_t>(take_page_items(plan, pages, response).size());
}

}  // namespace dynomite::detail
