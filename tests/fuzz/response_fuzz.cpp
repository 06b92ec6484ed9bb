// The response path: raw bytes are parsed as an HTTP response under the client's size limits,
// then a 200 body is decoded into a typed response and any other status into an error. The
// first byte picks the operation.
#include <dynomite/protocol/detail/protocol.hpp>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace http = boost::beast::http;

template <class Response>
void decode_as(const boost::json::value& json)
{
    Response response;
    std::string why;
    if (dynomite::detail::decode_response(json, response, &why) && why.empty()) std::abort();
}

void decode(std::uint8_t operation, const boost::json::value& json)
{
    switch (operation % 8) {
        case 0:
            return decode_as<dynomite::get_item_response>(json);
        case 1:
            return decode_as<dynomite::query_response>(json);
        case 2:
            return decode_as<dynomite::batch_get_item_response>(json);
        case 3:
            return decode_as<dynomite::batch_write_item_response>(json);
        case 4:
            return decode_as<dynomite::transact_get_items_response>(json);
        case 5:
            return decode_as<dynomite::describe_table_response>(json);
        case 6:
            return decode_as<dynomite::update_item_response>(json);
        default:
            return decode_as<dynomite::batch_execute_statement_response>(json);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    const std::uint8_t operation = data[0];
    const std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

    // Limits scaled down from the client's defaults so the fuzzer can reach them.
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.header_limit(8 * 1024);
    parser.body_limit(64 * 1024);
    boost::beast::error_code ec;
    std::size_t offset = 0;
    while (offset < wire.size() && !parser.is_done()) {
        const std::size_t used =
            parser.put(boost::asio::buffer(wire.data() + offset, wire.size() - offset), ec);
        if (ec == http::error::need_more) break;
        if (ec) return 0;
        if (used == 0) break;
        offset += used;
    }
    if (!parser.is_done()) {
        // Beast asserts that an end of stream follows some bytes, as a socket read ensures.
        if (!parser.got_some()) return 0;
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
    }
    const auto& message = parser.get();
    const std::string& body = message.body();

    if (message.result_int() != 200) {
        dynomite::diagnostics diag;
        const auto found = message.find("x-amzn-RequestId");
        std::string_view request_id;
        if (found != message.end()) request_id = {found->value().data(), found->value().size()};
        const dynomite::error_code error =
            dynomite::detail::parse_error_response(message.result_int(), body, request_id, diag);
        if (!error) std::abort();  // an error status always yields an error
        return 0;
    }
    boost::json::monotonic_resource arena;
    boost::json::parse_options options;
    options.max_depth = 128;
    boost::json::error_code json_ec;
    const boost::json::value json = boost::json::parse(body, json_ec, &arena, options);
    if (!json_ec) decode(operation, json);
    return 0;
}
