// Response bodies of the DynamoDB operations, read from the parsed JSON as
// response_description.hpp describes them.
#include "protocol/field_path.hpp"
#include "protocol/response_description.hpp"
#include "core/json_codec.hpp"
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>

#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite::detail {
namespace {

namespace json = boost::json;

std::string_view kind_name(const json::value& v) noexcept
{
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "boolean";
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_:
            return "number";
        case json::kind::string:
            return "string";
        case json::kind::array:
            return "array";
        case json::kind::object:
            return "object";
    }
    return "value";
}

/// Tracks the path of the value being read ("Query: Items[3]") for error messages.
/// Read functions take it first, so that calls from templates find every overload.
class decoder {
public:
    decoder(std::string_view operation, std::string* why)
        : path_(operation), why_(why)
    {
    }

    error_code fail(std::string_view what)
    {
        path_.describe(why_, what);
        return errc::malformed_response;
    }

    error_code wrong_type(std::string_view expected, const json::value& got)
    {
        return fail("expected " + std::string(expected) + ", got " + std::string(kind_name(got)));
    }

    field_path::scope at(std::string_view field) { return path_.at(field); }
    field_path::scope at(std::size_t index) { return path_.at(index); }

    const std::string& path() const noexcept { return path_.text(); }
    std::string* why() const noexcept { return why_; }

private:
    field_path path_;
    std::string* why_;
};

error_code object_of(decoder& d, const json::value& v, const json::object*& out)
{
    out = v.if_object();
    return out ? error_code() : d.wrong_type("an object", v);
}

// Scalars.

error_code read(decoder& d, const json::value& v, std::string& out)
{
    const json::string* s = v.if_string();
    if (!s) return d.wrong_type("a string", v);
    out.assign(s->data(), s->size());
    return {};
}

error_code read(decoder& d, const json::value& v, bool& out)
{
    if (!v.is_bool()) return d.wrong_type("a boolean", v);
    out = v.get_bool();
    return {};
}

error_code read(decoder& d, const json::value& v, std::int64_t& out)
{
    constexpr double two_63 = 9223372036854775808.0;
    if (const std::int64_t* i = v.if_int64()) {
        out = *i;
        return {};
    }
    if (const std::uint64_t* u = v.if_uint64()) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return d.fail("the integer " + std::to_string(*u) + " is out of range");
        }
        out = static_cast<std::int64_t>(*u);
        return {};
    }
    if (const double* f = v.if_double()) {
        // Some producers write integers in exponent form ("1.5E3").
        if (std::trunc(*f) != *f || *f < -two_63 || *f >= two_63) {
            return d.fail("expected an integer, got " + json::serialize(v));
        }
        out = static_cast<std::int64_t>(*f);
        return {};
    }
    return d.wrong_type("an integer", v);
}

error_code read(decoder& d, const json::value& v, double& out)
{
    if (!v.is_number()) return d.wrong_type("a number", v);
    out = v.to_number<double>();
    return {};
}

template <class E>
requires std::is_enum_v<E> error_code read(decoder& d, const json::value& v, E& out)
{
    const json::string* s = v.if_string();
    if (!s) return d.wrong_type("a string", v);
    // Unknown names become E::unknown: DynamoDB adds values over time.
    from_string(std::string_view(*s), out);
    return {};
}

error_code read(decoder& d, const json::value& v, attribute_map& out)
{
    if (read_item(v, out, d.path(), d.why())) return errc::malformed_response;
    return {};
}

// Containers.

template <class T>
error_code read(decoder& d, const json::value& v, std::optional<T>& out)
{
    return read(d, v, out.emplace());
}

template <class T>
error_code read(decoder& d, const json::value& v, std::vector<T>& out)
{
    const json::array* array = v.if_array();
    if (!array) return d.wrong_type("an array", v);
    out.clear();
    out.resize(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto s = d.at(i);
        if (error_code ec = read(d, (*array)[i], out[i])) return ec;
    }
    return {};
}

/// JSON objects with arbitrary keys (table names, index names, placeholders).
template <class T>
error_code read(decoder& d, const json::value& v, std::vector<std::pair<std::string, T>>& out)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    out.clear();
    out.reserve(object->size());
    for (const json::key_value_pair& member : *object) {
        auto s = d.at(member.key());
        auto& entry = out.emplace_back(std::string(member.key()), T{});
        if (error_code ec = read(d, member.value(), entry.second)) return ec;
    }
    return {};
}

// Members of an object. Absent members and nulls leave the output as it is.

template <class T>
error_code field(decoder& d, const json::object& object, std::string_view key, T& out)
{
    const json::value* v = object.if_contains(key);
    if (!v || v->is_null()) return {};
    auto s = d.at(key);
    return read(d, *v, out);
}

template <class T>
error_code required_field(decoder& d, const json::object& object, std::string_view key, T& out)
{
    const json::value* v = object.if_contains(key);
    if (!v || v->is_null()) return d.fail(std::string(key) + " is missing");
    auto s = d.at(key);
    return read(d, *v, out);
}

// Described structures: their members, in the order of their description.

template <class T>
error_code read_members(decoder& d, const json::object& object, T& out)
{
    using members = boost::describe::describe_members<
        T, boost::describe::mod_public | boost::describe::mod_inherited>;
    error_code ec;
    boost::mp11::mp_for_each<members>([&](auto descriptor) {
        using D = decltype(descriptor);
        if (ec) return;
        constexpr std::string_view name = wire_name<D>::value;
        if constexpr (member_rule_of<D::pointer> == member_rule::required) {
            ec = required_field(d, object, name, out.*D::pointer);
        } else {
            ec = field(d, object, name, out.*D::pointer);
        }
    });
    return ec;
}

template <class T>
requires boost::describe::has_describe_members<T>::value error_code read(decoder& d,
                                                                           const json::value& v,
                                                                           T& out)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    return read_members(d, *object, out);
}

/// One write of BatchWriteItem's UnprocessedItems: {"PutRequest": {"Item": ...}} or
/// {"DeleteRequest": {"Key": ...}}.
error_code read(decoder& d, const json::value& v, write_request& out)
{
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, v, object)) return ec;
    if (const json::value* put = object->if_contains("PutRequest")) {
        auto s = d.at("PutRequest");
        const json::object* inner = nullptr;
        if (error_code ec = object_of(d, *put, inner)) return ec;
        return required_field(d, *inner, "Item", out.emplace<put_request>().item);
    }
    if (const json::value* del = object->if_contains("DeleteRequest")) {
        auto s = d.at("DeleteRequest");
        const json::object* inner = nullptr;
        if (error_code ec = object_of(d, *del, inner)) return ec;
        return required_field(d, *inner, "Key", out.emplace<delete_request>().key);
    }
    return d.fail("expected PutRequest or DeleteRequest");
}

/// Resets `out`, then reads the response object's members.
template <class Response>
error_code decode(std::string_view operation, const json::value& json, Response& out,
                  std::string* why)
{
    out = Response{};
    decoder d(operation, why);
    const json::object* object = nullptr;
    if (error_code ec = object_of(d, json, object)) return ec;
    return read_members(d, *object, out);
}

}  // namespace

#define DYNOMITE_DEFINE_DECODE(name, aws_name)                                              \
    error_code decode_response(const json::value& json, name##_response& out,               \
                               std::string* why)                                            \
    {                                                                                       \
        return decode(#aws_name, json, out, why);                                           \
    }
DYNOMITE_OPERATIONS(DYNOMITE_DEFINE_DECODE)
#undef DYNOMITE_DEFINE_DECODE

}  // namespace dynomite::detail
