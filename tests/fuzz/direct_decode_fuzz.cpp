// The direct decoder against the DOM decoder: whatever body the direct decoder accepts, the DOM
// decoder must accept as well, with an equal result.
#include "protocol/direct_decode.hpp"
#include <dynomite/protocol/detail/protocol.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool same(const dynomite::get_item_response& a, const dynomite::get_item_response& b)
{
    return a.item == b.item;
}

bool same(const dynomite::query_response& a, const dynomite::query_response& b)
{
    return a.items == b.items && a.count == b.count && a.scanned_count == b.scanned_count &&
           a.last_evaluated_key == b.last_evaluated_key;
}

template <class Response>
void compare(std::string_view body)
{
    Response direct;
    if (!dynomite::detail::decode_directly(body, direct)) return;
    boost::json::monotonic_resource arena;
    boost::json::error_code json_ec;
    const boost::json::value json = dynomite::detail::parse_body(body, json_ec, &arena);
    if (json_ec) std::abort();  // accepted text that is not JSON
    Response dom;
    if (dynomite::detail::decode_response(json, dom, nullptr)) std::abort();
    if (!same(direct, dom)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    compare<dynomite::get_item_response>(body);
    compare<dynomite::query_response>(body);
    return 0;
}
