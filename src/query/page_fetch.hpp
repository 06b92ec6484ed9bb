// One page of a planned Query or Scan: the request to send (pure), the one coroutine that
// sends it, and what the response page gives (pure). Relations and cursors both page this way.
#pragma once

#include <dynomite/client/client.hpp>
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/protocol/query_scan.hpp>
#include <dynomite/query/pagination.hpp>
#include <dynomite/query/query_plan.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

namespace dynomite::detail {

/// A Query or a Scan, as query_plan::request holds it.
using page_request = std::variant<query_request, scan_request>;

/// The request for the next page of `planned`: the ExclusiveStartKey and Limit `pages` says.
page_request next_page_request(const page_request& planned, const pagination& pages);

/// Sends one page request: the only step that waits on DynamoDB.
boost::asio::awaitable<std::pair<error_code, page_response>> fetch_page(dynomite::client cl,
                                                                        page_request request,
                                                                        diagnostics& diag);

/// Takes a response page of `plan` into `pages` and returns its items: those that satisfy the
/// plan's residual, cut to the limit, without the attributes read only for the residual.
std::vector<attribute_map> take_page_items(const query_plan& plan, pagination& pages,
                                           page_response& response);

/// Takes a response page of a counting `plan` into `pages` and returns the items it counts
/// within the limit: Select=COUNT's Count, or the items that satisfy the plan's residual.
std::int64_t take_page_count(const query_plan& plan, pagination& pages, page_response& response);

}  // namespace dynomite::detail
