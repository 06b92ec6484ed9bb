// The state of one request body being written: the JSON writer, the path for error
// messages, the first failure, and the checked writes that DynamoDB's members share.
#pragma once

#include "protocol/field_path.hpp"
#include "core/json_codec.hpp"
#include "core/json_writer.hpp"
#include <dynomite/core/error.hpp>
#include <dynomite/protocol/operations.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dynomite::detail {

inline std::string quoted(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

/// Writes one request body. The first failure is kept (with the path where it
/// happened); later writes go on harmlessly and finish() removes the partial body.
class encoder {
public:
    encoder(std::string_view operation, std::string& body, std::string* why)
        : w(body),
          body_(body),
          start_(body.size()),
          path_(operation),
          why_(why)
    {
    }

    json_writer w;

    bool failed() const noexcept { return static_cast<bool>(ec_); }

    void fail(std::string_view what)
    {
        if (ec_) return;
        ec_ = errc::invalid_argument;
        path_.describe(why_, what);
    }

    error_code finish()
    {
        if (ec_) body_.resize(start_);
        return ec_;
    }

    /// Appends a path segment for the lifetime of the returned object.
    field_path::scope at(std::string_view field) { return path_.at(field); }
    field_path::scope at(std::size_t index) { return path_.at(index); }

    void required_string(std::string_view key, std::string_view value)
    {
        if (value.empty()) fail(std::string(key) + " is required");
        w.member(key, value);
    }

    void optional_string(std::string_view key, const std::optional<std::string>& value)
    {
        if (value) w.member(key, std::string_view(*value));
    }

    void optional_bool(std::string_view key, const std::optional<bool>& value)
    {
        if (value) w.member(key, *value);
    }

    /// A finite number in its shortest form that reads back as the same double.
    void number(std::string_view key, double value)
    {
        if (!std::isfinite(value)) {
            fail(std::string(key) + " must be a finite number, got " + std::to_string(value));
            return;
        }
        char text[32];
        const auto written = std::to_chars(text, text + sizeof text, value);
        w.key(key);
        w.raw_number(std::string_view(text, written.ptr));
    }

    void optional_integer(std::string_view key, const std::optional<std::int64_t>& value)
    {
        if (value) w.member(key, *value);
    }

    /// An optional count that DynamoDB wants to be at least `minimum`.
    void optional_count(std::string_view key, const std::optional<std::int32_t>& value,
                        std::int32_t minimum)
    {
        if (!value) return;
        if (*value < minimum) {
            fail(std::string(key) + " must be at least " + std::to_string(minimum) + ", got " +
                 std::to_string(*value));
        }
        w.member(key, static_cast<std::int64_t>(*value));
    }

    template <class E>
    void enumeration(std::string_view key, E value)
    {
        const std::string_view name = to_string(value);
        if (name.empty()) {
            fail(std::string(key) + " has no valid value (" +
                 std::to_string(static_cast<std::underlying_type_t<E>>(value)) + ")");
        }
        w.member(key, name);
    }

    template <class E>
    void optional_enumeration(std::string_view key, const std::optional<E>& value)
    {
        if (value) enumeration(key, *value);
    }

    /// Checks what validate() checks and writes the map, naming `key` on failure.
    void checked_map(std::string_view key, const attribute_map& map)
    {
        std::string reason;
        if (validate(map, &reason)) {
            auto s = at(key);
            fail(reason);
        }
        w.key(key);
        write_item(w, map);
    }

    /// A primary key: required and validated.
    void key_member(std::string_view key, const attribute_map& map)
    {
        if (map.empty()) fail(std::string(key) + " is required");
        checked_map(key, map);
    }

    /// A whole item: required, validated and within DynamoDB's size limit.
    void item_member(std::string_view key, const attribute_map& map)
    {
        if (map.empty()) fail(std::string(key) + " is required");
        checked_map(key, map);
        const std::size_t size = item_size(map);
        if (size > max_item_size) {
            auto s = at(key);
            fail("the item takes " + std::to_string(size) + " bytes, over DynamoDB's limit of " +
                 std::to_string(max_item_size));
        }
    }

    /// ExclusiveStartKey and the like: absent or a non-empty key.
    void optional_key(std::string_view key, const std::optional<attribute_map>& map)
    {
        if (!map) return;
        if (map->empty()) fail(std::string(key) + " is empty; leave it unset to start over");
        checked_map(key, *map);
    }

    void expression_attribute_names(const expression_names& names)
    {
        if (names.empty()) return;
        auto s = at("ExpressionAttributeNames");
        w.key("ExpressionAttributeNames");
        w.begin_object();
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto& [placeholder, name] = names[i];
            if (placeholder.size() < 2 || placeholder[0] != '#') {
                fail(quoted(placeholder) + " must be '#' followed by at least one character");
            } else if (name.empty()) {
                fail(quoted(placeholder) + " stands for an empty name");
            }
            for (std::size_t j = 0; j < i; ++j) {
                if (names[j].first == placeholder) fail(quoted(placeholder) + " appears twice");
            }
            w.member(placeholder, std::string_view(name));
        }
        w.end_object();
    }

    void expression_attribute_values(const attribute_map& values)
    {
        if (values.empty()) return;
        for (const auto& entry : values) {
            const std::string& placeholder = entry.first;
            if (placeholder.size() < 2 || placeholder[0] != ':') {
                auto s = at("ExpressionAttributeValues");
                fail(quoted(placeholder) + " must be ':' followed by at least one character");
            }
        }
        checked_map("ExpressionAttributeValues", values);
    }

    void parameters(const std::vector<attribute_value>& values)
    {
        if (values.empty()) return;
        auto s = at("Parameters");
        w.key("Parameters");
        w.begin_array();
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::string reason;
            if (validate(values[i], &reason)) {
                auto si = at(i);
                fail(reason);
            }
            write_value(w, values[i]);
        }
        w.end_array();
    }

    void return_values_put_or_delete(const std::optional<return_values>& value)
    {
        if (value && *value != return_values::none && *value != return_values::all_old) {
            const std::string_view name = to_string(*value);
            fail("ReturnValues must be NONE or ALL_OLD here, got " +
                 (name.empty() ? std::string("an invalid value") : std::string(name)));
        }
        optional_enumeration("ReturnValues", value);
    }

private:
    std::string& body_;
    std::size_t start_;
    field_path path_;
    std::string* why_;
    error_code ec_;
};

}  // namespace dynomite::detail
