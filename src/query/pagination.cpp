// Paging state and cursor strings.
#include "core/ascii.hpp"
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/query/pagination.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <limits>
#include <utility>

namespace dynomite {

pagination::pagination(pagination_options options) : options_(std::move(options))
{
    // The empty key is the beginning, as DynamoDB has no empty LastEvaluatedKey.
    if (options_.start_key && options_.start_key->empty()) options_.start_key.reset();
    next_key_ = options_.start_key;
    resume_key_ = options_.start_key;
    if (options_.limit && *options_.limit <= 0) done_ = true;
}

std::optional<std::int64_t> pagination::remaining() const noexcept
{
    if (!options_.limit) return std::nullopt;
    return std::max<std::int64_t>(0, *options_.limit - yielded_);
}

std::optional<std::int32_t> pagination::next_limit() const noexcept
{
    const auto page = options_.page_limit;
    const auto left = remaining();
    if (options_.filtered || !left || *left <= 0) return page;
    const std::int64_t capped =
        std::min<std::int64_t>(*left, std::numeric_limits<std::int32_t>::max());
    if (!page || capped < *page) return static_cast<std::int32_t>(capped);
    return page;
}

void pagination::prepare(query_request& request) const
{
    request.exclusive_start_key = next_key_;
    request.limit = next_limit();
}

void pagination::prepare(scan_request& request) const
{
    request.exclusive_start_key = next_key_;
    request.limit = next_limit();
}

void pagination::on_page(std::vector<attribute_map>& items,
                         std::optional<attribute_map> last_evaluated_key)
{
    ++pages_;
    const auto left = remaining();
    if (left && static_cast<std::int64_t>(items.size()) > *left) {
        // The page holds more than the limit allows: keep the first items and resume after
        // the last one kept, not after the page, or the dropped ones would be skipped.
        items.resize(static_cast<std::size_t>(*left));
        yielded_ += *left;
        done_ = true;
        // Nothing kept (a limit already reached) leaves the position where it was.
        if (items.empty()) return;
        attribute_map key;
        std::string why;
        if (key_of(items.back(), options_.key_attributes, key, &why)) {
            resume_key_.reset();
            unresumable_ = std::move(why);
        } else {
            resume_key_ = std::move(key);
        }
        return;
    }
    yielded_ += static_cast<std::int64_t>(items.size());
    continue_after(std::move(last_evaluated_key));
}

std::int64_t pagination::on_count(std::int64_t count,
                                  std::optional<attribute_map> last_evaluated_key)
{
    ++pages_;
    const auto left = remaining();
    const std::int64_t taken = left ? std::min(count, *left) : count;
    yielded_ += taken;
    continue_after(std::move(last_evaluated_key));
    return taken;
}

void pagination::continue_after(std::optional<attribute_map> last_evaluated_key)
{
    next_key_ = std::move(last_evaluated_key);
    resume_key_ = next_key_;
    if (!next_key_) {
        done_ = true;
        exhausted_ = true;
    } else if (options_.limit && yielded_ >= *options_.limit) {
        done_ = true;
    }
}

bool pagination::resumable(std::string* why) const
{
    if (unresumable_.empty()) return true;
    if (why) *why = unresumable_;
    return false;
}

error_code key_of(const attribute_map& item, const std::vector<std::string>& names,
                  attribute_map& out, std::string* why)
{
    attribute_map key;
    key.reserve(names.size());
    for (const std::string& name : names) {
        const attribute_value* value = item.find(name);
        if (!value) {
            if (why) *why = "the item has no key attribute " + detail::quoted(name);
            return errc::invalid_argument;
        }
        key.set(name, *value);
    }
    out = std::move(key);
    return {};
}

namespace {

bool is_base64url(char c) noexcept
{
    return detail::is_ascii_alphanumeric(c) || c == '-' || c == '_';
}

error_code cursor_failure(std::string* why, std::string message)
{
    if (why) *why = "invalid cursor string: " + std::move(message);
    return errc::invalid_argument;
}

}  // namespace

std::string encode_cursor(const attribute_map& key)
{
    std::string json;
    detail::json_writer writer(json);
    detail::write_item(writer, key);
    std::string text = base64_encode(std::string_view(json));
    while (!text.empty() && text.back() == '=') text.pop_back();
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    return text;
}

error_code decode_cursor(std::string_view text, attribute_map& out, std::string* why)
{
    if (text.empty()) {
        return cursor_failure(why, "it is empty (a cursor with no item left has no position)");
    }
    if (text.size() > max_cursor_length) {
        return cursor_failure(why, std::to_string(text.size()) + " characters, more than the " +
                                       std::to_string(max_cursor_length) + " allowed");
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_base64url(text[i])) {
            return cursor_failure(
                why, "character " + std::to_string(static_cast<unsigned char>(text[i])) +
                         " at position " + std::to_string(i) + " is not in the base64url alphabet");
        }
    }
    if (text.size() % 4 == 1) {
        return cursor_failure(
            why, "its length, " + std::to_string(text.size()) + ", is not one of base64url");
    }
    std::string standard(text);
    std::replace(standard.begin(), standard.end(), '-', '+');
    std::replace(standard.begin(), standard.end(), '_', '/');
    standard.append((4 - standard.size() % 4) % 4, '=');
    bytes decoded;
    if (base64_decode(standard, decoded)) return cursor_failure(why, "not base64url");

    boost::json::error_code json_ec;
    const boost::json::value json = boost::json::parse(
        std::string_view(reinterpret_cast<const char*>(decoded.data()), decoded.size()), json_ec);
    if (json_ec) return cursor_failure(why, "it does not hold JSON (" + json_ec.message() + ")");
    if (!json.is_object()) return cursor_failure(why, "it does not hold a JSON object");
    attribute_map key;
    std::string read_why;
    if (detail::read_item(json, key, "key", &read_why)) return cursor_failure(why, read_why);
    out = std::move(key);
    return {};
}

attribute_map decode_cursor(std::string_view text)
{
    attribute_map out;
    std::string why;
    const error_code ec = decode_cursor(text, out, &why);
    throw_on_error(ec, why);
    return out;
}

}  // namespace dynomite
