// Plain JSON to attribute values, with a SAX handler so that each number's text reaches
// number::parse as written.
#include "core/plain_json.hpp"
#include <dynomite/core/number.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace dynomite::detail {
namespace {

class plain_handler {
public:
    static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

    std::optional<attribute_value> result;
    std::string failure;

    bool on_document_begin(boost::system::error_code&) { return true; }
    bool on_document_end(boost::system::error_code&) { return true; }
    bool on_object_begin(boost::system::error_code&)
    {
        frames_.push_back(frame{attribute_value(attribute_map{}), {}});
        return true;
    }
    bool on_object_end(std::size_t, boost::system::error_code&) { return close(); }
    bool on_array_begin(boost::system::error_code&)
    {
        frames_.push_back(frame{attribute_value(attribute_list{}), {}});
        return true;
    }
    bool on_array_end(std::size_t, boost::system::error_code&) { return close(); }
    bool on_key_part(std::string_view part, std::size_t, boost::system::error_code&)
    {
        frames_.back().key += part;
        return true;
    }
    bool on_key(std::string_view part, std::size_t, boost::system::error_code&)
    {
        frames_.back().key += part;
        return true;
    }
    bool on_string_part(std::string_view part, std::size_t, boost::system::error_code&)
    {
        text_ += part;
        return true;
    }
    bool on_string(std::string_view part, std::size_t, boost::system::error_code&)
    {
        text_ += part;
        return add(attribute_value(std::exchange(text_, {})));
    }
    bool on_number_part(std::string_view part, boost::system::error_code&)
    {
        text_ += part;
        return true;
    }
    bool on_int64(std::int64_t, std::string_view part, boost::system::error_code& ec)
    {
        return on_number(part, ec);
    }
    bool on_uint64(std::uint64_t, std::string_view part, boost::system::error_code& ec)
    {
        return on_number(part, ec);
    }
    bool on_double(double, std::string_view part, boost::system::error_code& ec)
    {
        return on_number(part, ec);
    }
    bool on_bool(bool b, boost::system::error_code&) { return add(attribute_value(b)); }
    bool on_null(boost::system::error_code&) { return add(attribute_value(null_value{})); }
    bool on_comment_part(std::string_view, boost::system::error_code&) { return true; }
    bool on_comment(std::string_view, boost::system::error_code&) { return true; }

private:
    struct frame {
        attribute_value container;
        std::string key;  // of the member being read, in an object
    };

    bool on_number(std::string_view part, boost::system::error_code& ec)
    {
        text_ += part;
        number n;
        std::string reason;
        if (error_code parse_ec = number::parse(text_, n, &reason)) {
            const std::string place = path();
            failure = (place.empty() ? std::string() : place + ": ") + reason;
            ec = parse_ec;
            return false;
        }
        text_.clear();
        return add(attribute_value(std::move(n)));
    }

    bool add(attribute_value v)
    {
        if (frames_.empty()) {
            result = std::move(v);
            return true;
        }
        frame& top = frames_.back();
        if (auto* map = top.container.get_if<attribute_map>()) {
            map->set(std::exchange(top.key, {}), std::move(v));
        } else {
            top.container.get_if<attribute_list>()->push_back(std::move(v));
        }
        return true;
    }

    bool close()
    {
        attribute_value done = std::move(frames_.back().container);
        frames_.pop_back();
        return add(std::move(done));
    }

    /// "a.b[2].c": where the value being read sits.
    std::string path() const
    {
        std::string out;
        for (const frame& f : frames_) {
            if (const auto* list = f.container.get_if<attribute_list>()) {
                out += "[" + std::to_string(list->size()) + "]";
            } else {
                if (!out.empty()) out += '.';
                out += f.key;
            }
        }
        return out;
    }

    std::vector<frame> frames_;
    std::string text_;
};

}  // namespace

error_code read_plain_json(std::string_view text, attribute_value& out, std::string* why,
                           plain_json_options options)
{
    boost::json::parse_options parse;
    parse.allow_comments = options.allow_comments;
    parse.allow_trailing_commas = options.allow_trailing_commas;
    boost::json::basic_parser<plain_handler> parser(parse);
    boost::system::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    plain_handler& handler = parser.handler();
    const std::string_view rest = text.substr(used);
    if (!ec && rest.find_first_not_of(" \t\r\n") != std::string_view::npos)
        ec = boost::json::error::extra_data;
    if (ec || !handler.result) {
        if (!handler.failure.empty()) {
            if (why) *why = std::move(handler.failure);
            return errc::invalid_number;
        }
        if (why) *why = "not valid JSON: " + (ec ? ec.message() : std::string("incomplete"));
        return errc::invalid_argument;
    }
    out = std::move(*handler.result);
    return {};
}

}  // namespace dynomite::detail
