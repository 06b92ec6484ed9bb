// A Boost.JSON SAX handler building attribute maps as the text is parsed. It only accepts what
// it fully understands and gives up on anything else, leaving errors and rare members to the
// DOM decoder, whose results it must equal.
#include <dynomite/detail/attribute_map_access.hpp>
#include <dynomite/detail/direct_decode.hpp>
#include <dynomite/detail/json_codec.hpp>

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

namespace dynomite::detail {
namespace {

using boost::json::string_view;
using json_error_code = boost::json::error_code;

/// The members of a response the handler knows.
enum class member : unsigned char { none, item, items, count, scanned_count, last_evaluated_key };

/// Where the parse is: one frame per JSON object or array open.
enum class frame_kind : unsigned char {
    response,  // the top-level object; its keys name members
    items,     // Items: an array of items
    map,       // an item, a key or an M value; its keys name attributes
    typed,     // {"<type>": <value>}, one attribute value
    list,      // an L value: an array of typed values
    set,       // an SS, NS or BS value: an array of strings
};

enum class type_code : unsigned char { none, s, n, b, boolean, null, m, l, ss, ns, bs };

type_code type_code_of(std::string_view key) noexcept
{
    if (key == "S") return type_code::s;
    if (key == "N") return type_code::n;
    if (key == "B") return type_code::b;
    if (key == "BOOL") return type_code::boolean;
    if (key == "NULL") return type_code::null;
    if (key == "M") return type_code::m;
    if (key == "L") return type_code::l;
    if (key == "SS") return type_code::ss;
    if (key == "NS") return type_code::ns;
    if (key == "BS") return type_code::bs;
    return type_code::none;
}

struct frame {
    frame_kind kind;
    attribute_map* map = nullptr;      // map: where attributes go
    attribute_value* value = nullptr;  // typed: the value being read; list, set: the list or set
    type_code type = type_code::none;  // typed: its type key; set: the set's
    bool filled = false;               // typed: the value was read
    bool awaiting_value = false;       // map: a key was read, its typed value comes next
};

class handler {
public:
    static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

    handler(get_item_response* get_item, page_response* page) : get_item_(get_item), page_(page)
    {
        stack_.reserve(2 * max_nesting + 4);
    }

    /// The whole response was read and understood.
    bool complete() const noexcept { return finished_; }

    bool on_document_begin(json_error_code&) { return true; }
    bool on_document_end(json_error_code&) { return true; }

    bool on_object_begin(json_error_code& ec)
    {
        if (stack_.empty()) {
            stack_.push_back({frame_kind::response});
            return true;
        }
        frame& top = stack_.back();
        switch (top.kind) {
            case frame_kind::response:
                if (pending_ == member::item) return open_map(get_item_->item.emplace(), ec);
                if (pending_ == member::last_evaluated_key)
                    return open_map(page_->last_evaluated_key.emplace(), ec);
                return give_up(ec);
            case frame_kind::items: {
                attribute_map& item = page_->items.emplace_back();
                // Items of one page tend to have the same number of attributes.
                attribute_map_access::reserve(item, last_item_size_);
                return open_map(item, ec);
            }
            case frame_kind::map:
                if (!top.awaiting_value) return give_up(ec);
                top.awaiting_value = false;
                stack_.push_back({frame_kind::typed, nullptr, pending_value_});
                return true;
            case frame_kind::typed:
                if (top.type != type_code::m || top.filled || !enter_nested()) return give_up(ec);
                top.filled = true;
                *top.value = attribute_map();
                return open_map(*top.value->get_if<attribute_map>(), ec);
            case frame_kind::list: {
                auto& list = *top.value->get_if<attribute_list>();
                stack_.push_back({frame_kind::typed, nullptr, &list.emplace_back()});
                return true;
            }
            case frame_kind::set:
                return give_up(ec);
        }
        return give_up(ec);
    }

    bool on_object_end(std::size_t, json_error_code& ec)
    {
        frame& top = stack_.back();
        switch (top.kind) {
            case frame_kind::response:
                stack_.pop_back();
                finished_ = true;
                return true;
            case frame_kind::map:
                // Boost.JSON keeps the last of repeated keys; the DOM decoder then applies it.
                if (top.awaiting_value || has_repeated_keys(*top.map)) return give_up(ec);
                if (stack_.size() >= 2 && stack_[stack_.size() - 2].kind == frame_kind::items)
                    last_item_size_ = top.map->size();
                stack_.pop_back();
                // The map of an M value closes its typed frame's nesting.
                if (!stack_.empty() && stack_.back().kind == frame_kind::typed) --nesting_;
                pending_ = member::none;
                return true;
            case frame_kind::typed:
                if (!top.filled) return give_up(ec);
                stack_.pop_back();
                return true;
            default:
                return give_up(ec);
        }
    }

    bool on_array_begin(json_error_code& ec)
    {
        if (stack_.empty()) return give_up(ec);
        frame& top = stack_.back();
        if (top.kind == frame_kind::response && pending_ == member::items) {
            pending_ = member::none;
            stack_.push_back({frame_kind::items});
            return true;
        }
        if (top.kind != frame_kind::typed || top.filled) return give_up(ec);
        top.filled = true;
        switch (top.type) {
            case type_code::l:
                if (!enter_nested()) return give_up(ec);
                *top.value = attribute_list();
                stack_.push_back({frame_kind::list, nullptr, top.value});
                return true;
            case type_code::ss:
                *top.value = string_set();
                break;
            case type_code::ns:
                *top.value = number_set();
                break;
            case type_code::bs:
                *top.value = binary_set();
                break;
            default:
                return give_up(ec);
        }
        stack_.push_back({frame_kind::set, nullptr, top.value, top.type});
        return true;
    }

    bool on_array_end(std::size_t, json_error_code& ec)
    {
        const frame_kind kind = stack_.back().kind;
        if (kind != frame_kind::items && kind != frame_kind::list && kind != frame_kind::set)
            return give_up(ec);
        stack_.pop_back();
        if (kind == frame_kind::list) --nesting_;
        return true;
    }

    bool on_key_part(string_view s, std::size_t, json_error_code&)
    {
        part_.append(s.data(), s.size());
        return true;
    }

    bool on_key(string_view s, std::size_t, json_error_code& ec)
    {
        if (stack_.empty()) return give_up(ec);
        const std::string_view key = whole(s);
        frame& top = stack_.back();
        bool accepted = false;
        switch (top.kind) {
            case frame_kind::response:
                accepted = take_member(key);
                break;
            case frame_kind::map:
                pending_value_ =
                    &attribute_map_access::append(*top.map, std::string(key), attribute_value());
                top.awaiting_value = true;
                accepted = true;
                break;
            case frame_kind::typed:
                if (top.type == type_code::none) {
                    top.type = type_code_of(key);
                    accepted = top.type != type_code::none;
                }
                break;
            default:
                break;
        }
        part_.clear();
        return accepted || give_up(ec);
    }

    bool on_string_part(string_view s, std::size_t, json_error_code&)
    {
        part_.append(s.data(), s.size());
        return true;
    }

    bool on_string(string_view s, std::size_t, json_error_code& ec)
    {
        if (stack_.empty()) return give_up(ec);
        const std::string_view text = whole(s);
        frame& top = stack_.back();
        bool accepted = false;
        if (top.kind == frame_kind::typed && !top.filled) {
            top.filled = true;
            accepted = read_scalar(top.type, text, *top.value);
        } else if (top.kind == frame_kind::set) {
            accepted = add_to_set(top.type, text, *top.value);
        }
        part_.clear();
        return accepted || give_up(ec);
    }

    bool on_number_part(string_view, json_error_code&) { return true; }

    bool on_int64(std::int64_t i, string_view, json_error_code& ec)
    {
        return set_count(i) || give_up(ec);
    }

    bool on_uint64(std::uint64_t u, string_view, json_error_code& ec)
    {
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return give_up(ec);
        return set_count(static_cast<std::int64_t>(u)) || give_up(ec);
    }

    bool on_double(double, string_view, json_error_code& ec) { return give_up(ec); }

    bool on_bool(bool b, json_error_code& ec)
    {
        if (stack_.empty()) return give_up(ec);
        frame& top = stack_.back();
        if (top.kind != frame_kind::typed || top.filled) return give_up(ec);
        top.filled = true;
        if (top.type == type_code::boolean) {
            *top.value = b;
            return true;
        }
        if (top.type == type_code::null && b) {
            *top.value = null_value{};
            return true;
        }
        return give_up(ec);
    }

    bool on_null(json_error_code& ec) { return give_up(ec); }
    bool on_comment_part(string_view, json_error_code& ec) { return give_up(ec); }
    bool on_comment(string_view, json_error_code& ec) { return give_up(ec); }

private:
    // The parser stops at a false return; the code is only its signal, never shown.
    bool give_up(json_error_code& ec)
    {
        ec = make_error_code(errc::malformed_response);
        return false;
    }

    std::string_view whole(string_view last)
    {
        if (part_.empty()) return {last.data(), last.size()};
        part_.append(last.data(), last.size());
        return part_;
    }

    bool open_map(attribute_map& map, json_error_code&)
    {
        stack_.push_back({frame_kind::map, &map});
        return true;
    }

    static bool has_repeated_keys(const attribute_map& map)
    {
        const std::size_t n = map.size();
        if (n < 2) return false;
        const auto begin = map.begin();
        if (n <= 16) {
            for (auto a = begin; a != map.end(); ++a)
                for (auto b = std::next(a); b != map.end(); ++b)
                    if (a->first == b->first) return true;
            return false;
        }
        std::vector<std::string_view> names;
        names.reserve(n);
        for (const auto& entry : map) names.emplace_back(entry.first);
        std::sort(names.begin(), names.end());
        return std::adjacent_find(names.begin(), names.end()) != names.end();
    }

    /// Counts a level of M or L nesting, as the DOM decoder does; false past DynamoDB's limit.
    bool enter_nested()
    {
        if (nesting_ >= max_nesting) return false;
        ++nesting_;
        return true;
    }

    bool take_member(std::string_view key)
    {
        member m = member::none;
        if (get_item_ != nullptr) {
            if (key == "Item") m = member::item;
        } else if (key == "Items") {
            m = member::items;
        } else if (key == "Count") {
            m = member::count;
        } else if (key == "ScannedCount") {
            m = member::scanned_count;
        } else if (key == "LastEvaluatedKey") {
            m = member::last_evaluated_key;
        }
        // A repeated member is left to the DOM decoder's rule.
        const auto bit = 1u << static_cast<unsigned>(m);
        if (m == member::none || (seen_ & bit) != 0) return false;
        seen_ |= bit;
        pending_ = m;
        return true;
    }

    bool set_count(std::int64_t value)
    {
        if (stack_.size() != 1) return false;
        if (pending_ == member::count) {
            page_->count = value;
        } else if (pending_ == member::scanned_count) {
            page_->scanned_count = value;
        } else {
            return false;
        }
        pending_ = member::none;
        return true;
    }

    static bool read_scalar(type_code type, std::string_view text, attribute_value& out)
    {
        switch (type) {
            case type_code::s:
                out = std::string(text);
                return true;
            case type_code::n: {
                number n;
                if (number::parse(text, n)) return false;
                out = std::move(n);
                return true;
            }
            case type_code::b: {
                bytes b;
                if (base64_decode(text, b)) return false;
                out = std::move(b);
                return true;
            }
            default:
                return false;
        }
    }

    static bool add_to_set(type_code type, std::string_view text, attribute_value& set)
    {
        switch (type) {
            case type_code::ss:
                set.get_if<string_set>()->values.emplace_back(text);
                return true;
            case type_code::ns: {
                number n;
                if (number::parse(text, n)) return false;
                set.get_if<number_set>()->values.push_back(std::move(n));
                return true;
            }
            case type_code::bs: {
                bytes b;
                if (base64_decode(text, b)) return false;
                set.get_if<binary_set>()->values.push_back(std::move(b));
                return true;
            }
            default:
                return false;
        }
    }

    get_item_response* get_item_;
    page_response* page_;
    std::vector<frame> stack_;
    std::string part_;
    attribute_value* pending_value_ = nullptr;
    member pending_ = member::none;
    unsigned seen_ = 0;
    int nesting_ = 0;
    std::size_t last_item_size_ = 0;
    bool finished_ = false;
};

bool parse_with(std::string_view body, get_item_response* get_item, page_response* page)
{
    boost::json::parse_options options;
    // As the DOM decoder's parse: room for 32 levels of attribute values.
    options.max_depth = 128;
    boost::json::basic_parser<handler> parser(options, get_item, page);
    json_error_code ec;
    const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
    return !ec && used == body.size() && parser.done() && parser.handler().complete();
}

}  // namespace

bool decode_directly(std::string_view body, get_item_response& out)
{
    return parse_with(body, &out, nullptr);
}

bool decode_directly(std::string_view body, page_response& out)
{
    return parse_with(body, nullptr, &out);
}

}  // namespace dynomite::detail
