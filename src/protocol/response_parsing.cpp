// Response bodies in: error responses (parse_error_response), the JSON parse every body goes
// through (parse_body), and parse_response, which tries the direct decoder before the DOM.
#include "protocol/direct_decode.hpp"
#include "core/json_codec.hpp"
#include <dynomite/protocol/detail/protocol.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace dynomite::detail {
namespace {

std::string_view string_member(const boost::json::object& obj, std::string_view a,
                               std::string_view b = {})
{
    for (auto name : {a, b}) {
        if (name.empty()) continue;
        if (auto* v = obj.if_contains(name); v && v->is_string()) return v->get_string();
    }
    return {};
}

errc errc_from_status(unsigned status)
{
    if (status == 503) return errc::service_unavailable;
    if (status >= 500) return errc::internal_server_error;
    return errc::http_status;
}

void read_cancellation_reasons(const boost::json::value& json, diagnostics& diag)
{
    if (!json.is_array()) return;
    const auto& reasons = json.get_array();
    diag.cancellation_reasons.reserve(reasons.size());
    for (std::size_t i = 0; i < reasons.size(); ++i) {
        cancellation_reason reason;
        if (const auto* obj = reasons[i].if_object()) {
            reason.code = std::string(string_member(*obj, "Code"));
            reason.message = std::string(string_member(*obj, "Message", "message"));
            if (const auto* item = obj->if_contains("Item")) {
                attribute_map decoded;
                std::string why;
                // An undecodable item is dropped rather than hiding the error it explains.
                if (!read_item(*item, decoded, "CancellationReasons[" + std::to_string(i) + "].Item",
                               &why))
                    reason.item = std::move(decoded);
            }
        }
        diag.cancellation_reasons.push_back(std::move(reason));
    }
}

}  // namespace

error_code parse_error_response(unsigned http_status, std::string_view body,
                                std::string_view request_id, diagnostics& diag)
{
    diag.http_status = http_status;
    diag.request_id = std::string(request_id);

    boost::json::error_code json_ec;
    // An item of 32 nested levels may be inside the error body, with lone surrogates too.
    boost::json::value json = parse_body(body, json_ec);
    const boost::json::object* obj = json_ec ? nullptr : json.if_object();
    std::string_view type = obj ? string_member(*obj, "__type") : std::string_view{};
    if (type.empty()) {
        // Not DynamoDB speaking: a proxy or load balancer. Keep a bounded excerpt of what it said.
        diag.aws_type.clear();
        constexpr std::size_t excerpt = 200;
        diag.message = "HTTP " + std::to_string(http_status);
        if (!body.empty())
            diag.message += ": " + std::string(body.substr(0, excerpt)) +
                            (body.size() > excerpt ? "..." : "");
        return make_error_code(errc_from_status(http_status));
    }

    auto short_type = type;
    if (auto hash = short_type.rfind('#'); hash != std::string_view::npos)
        short_type.remove_prefix(hash + 1);
    diag.aws_type = std::string(short_type);
    diag.message = std::string(string_member(*obj, "message", "Message"));

    errc code = errc_from_aws_type(type);
    if (code == errc::unknown_service_error && http_status >= 500) code = errc_from_status(http_status);

    if (const auto* reasons = obj->if_contains("CancellationReasons"))
        read_cancellation_reasons(*reasons, diag);
    if (const auto* item = obj->if_contains("Item")) {
        attribute_map decoded;
        std::string why;
        if (!read_item(*item, decoded, "Item", &why)) diag.item = std::move(decoded);
    }
    return make_error_code(code);
}

boost::json::value parse_body(std::string_view body, boost::json::error_code& ec,
                              boost::json::storage_ptr storage)
{
    boost::json::parse_options options;
    // 32 levels of attribute values take about 67 JSON levels inside a response.
    options.max_depth = 128;
    boost::json::value json = boost::json::parse(body, ec, storage, options);
    // Boost.JSON refuses lone surrogate escapes; the AWS SDKs, and decode_directly(), read them.
    std::string rewritten;
    if (ec && lone_surrogates_as_bytes(body, rewritten)) {
        options.allow_invalid_utf8 = true;
        ec = {};
        json = boost::json::parse(rewritten, ec, storage, options);
    }
    return json;
}

namespace {

/// Memory for the DOM of a response of `body_size` bytes: about three times the body (a node
/// per value, strings copied), kept per thread and reused, so decoding a page does not fault in
/// new pages each time. Null past a bound, where the arena takes its memory from the heap.
std::vector<unsigned char>* decoding_scratch(std::size_t body_size)
{
    constexpr std::size_t kept_at_most = 8 * 1024 * 1024;
    thread_local std::vector<unsigned char> scratch;
    const std::size_t wanted = std::max<std::size_t>(3 * body_size, 4096);
    if (wanted > kept_at_most) return nullptr;
    if (scratch.size() < wanted) {
        scratch = std::vector<unsigned char>();
        scratch.resize(wanted);
    }
    return &scratch;
}

template <class Response>
error_code parse_and_decode(std::string_view body, Response& out, std::string_view operation,
                            std::string* why)
{
    // Items and pages, nearly all of what is read, skip the DOM when they can.
    if constexpr (requires { decode_directly(body, out); }) {
        if (decode_directly(body, out)) return {};
        out = Response{};
    }
    // The DOM lives only while decoding, which never suspends nor calls back into user code:
    // the thread's scratch memory cannot be in use twice.
    std::optional<boost::json::monotonic_resource> arena;
    if (auto* scratch = decoding_scratch(body.size()))
        arena.emplace(scratch->data(), scratch->size());
    else
        arena.emplace();
    boost::json::error_code json_ec;
    const boost::json::value json = parse_body(body, json_ec, &*arena);
    if (json_ec) {
        if (why)
            *why = std::string(operation) + ": the response is not valid JSON: " + json_ec.message();
        return make_error_code(errc::malformed_response);
    }
    return decode_response(json, out, why);
}

}  // namespace

#define DYNOMITE_DEFINE_PARSE(name, aws_name)                                                \
    error_code parse_response(std::string_view body, name##_response& out, std::string* why) \
    {                                                                                        \
        return parse_and_decode(body, out, #aws_name, why);                                  \
    }
DYNOMITE_OPERATIONS(DYNOMITE_DEFINE_PARSE)
#undef DYNOMITE_DEFINE_PARSE

}  // namespace dynomite::detail
