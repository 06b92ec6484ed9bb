// The JSON attribute-value decoder: any input is decoded or refused, and what decodes writes
// back to JSON that decodes to the same value.
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

boost::json::value parse(std::string_view text, boost::json::error_code& ec,
                         boost::json::monotonic_resource& arena)
{
    boost::json::parse_options options;
    options.max_depth = 128;  // as the client parses responses
    return boost::json::parse(text, ec, &arena, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    boost::json::monotonic_resource arena;
    boost::json::error_code ec;
    const boost::json::value json = parse(text, ec, arena);
    if (ec) return 0;

    // An object of attributes decodes as an item; anything else as one value.
    std::string why;
    dynomite::attribute_value value;
    dynomite::attribute_map item;
    const bool as_item = json.is_object() && !json.get_object().empty() &&
                         json.get_object().begin()->value().is_object();
    const dynomite::error_code decode_ec =
        as_item ? dynomite::detail::read_item(json, item, "Item", &why)
                : dynomite::detail::read_value(json, value, "v", &why);
    if (decode_ec) {
        if (why.empty()) std::abort();  // every refusal says where and why
        return 0;
    }

    std::string written;
    dynomite::detail::json_writer writer(written);
    if (as_item)
        dynomite::detail::write_item(writer, item);
    else
        dynomite::detail::write_value(writer, value);

    boost::json::monotonic_resource arena_again;
    const boost::json::value again = parse(written, ec, arena_again);
    if (ec) std::abort();  // the writer produced invalid JSON
    dynomite::attribute_value value_again;
    dynomite::attribute_map item_again;
    const dynomite::error_code again_ec =
        as_item ? dynomite::detail::read_item(again, item_again, "Item", nullptr)
                : dynomite::detail::read_value(again, value_again, "v", nullptr);
    if (again_ec) std::abort();  // what decoded once must decode again
    if (as_item ? !(item_again == item) : !(value_again == value)) std::abort();
    return 0;
}
