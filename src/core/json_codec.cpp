// Attribute values in DynamoDB's JSON shape: {"S": "..."}, {"N": "12"}, {"M": {...}}, ...
#include "core/attribute_map_access.hpp"
#include "core/json_codec.hpp"
#include "core/quoting.hpp"

#include <boost/json/value.hpp>

namespace dynomite::detail {
namespace {

template <class Set>
void write_set(json_writer& w, std::string_view type, const Set& set)
{
    w.begin_object();
    w.key(type);
    w.begin_array();
    for (const auto& member : set.values) {
        if constexpr (std::is_same_v<Set, string_set>) {
            w.string(member);
        } else if constexpr (std::is_same_v<Set, number_set>) {
            w.string(member.text());
        } else {
            w.binary(member);
        }
    }
    w.end_array();
    w.end_object();
}

std::string_view json_kind_name(const boost::json::value& v) noexcept
{
    switch (v.kind()) {
        case boost::json::kind::null:
            return "null";
        case boost::json::kind::bool_:
            return "boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_:
            return "number";
        case boost::json::kind::string:
            return "string";
        case boost::json::kind::array:
            return "array";
        case boost::json::kind::object:
            return "object";
    }
    return "value";
}

class reader {
public:
    reader(std::string_view where, std::string* why) : path_(where), why_(why) {}

    error_code item(const boost::json::value& json, attribute_map& out)
    {
        const boost::json::object* object = json.if_object();
        if (!object) {
            return fail("expected an object of attributes, got " +
                        std::string(json_kind_name(json)));
        }
        return members(*object, out, 0);
    }

    error_code value(const boost::json::value& json, attribute_value& out, int depth)
    {
        const boost::json::object* object = json.if_object();
        if (!object) {
            return fail("expected an object with one type key such as \"S\", got " +
                        std::string(json_kind_name(json)));
        }
        if (object->size() != 1) {
            if (object->empty()) return fail("expected one type key such as \"S\", got none");
            std::string keys;
            for (const auto& member : *object) {
                keys += keys.empty() ? "" : ", ";
                keys += quoted_printable(member.key());
            }
            return fail("expected one type key, got " + std::to_string(object->size()) + ": " +
                        keys);
        }
        const boost::json::key_value_pair& typed = *object->begin();
        const std::string_view type = typed.key();
        const boost::json::value& inner = typed.value();
        if (type == "S") {
            const boost::json::string* s = expect_string(inner, type);
            if (!s) return errc::malformed_response;
            out = std::string(*s);
        } else if (type == "N") {
            number n;
            if (error_code ec = read_number(inner, type, n)) return ec;
            out = std::move(n);
        } else if (type == "B") {
            bytes b;
            if (error_code ec = read_binary(inner, type, b)) return ec;
            out = std::move(b);
        } else if (type == "BOOL") {
            if (!inner.is_bool()) {
                return fail("expected a boolean for \"BOOL\", got " +
                            std::string(json_kind_name(inner)));
            }
            out = inner.get_bool();
        } else if (type == "NULL") {
            if (!inner.is_bool() || !inner.get_bool()) {
                return fail("expected true for \"NULL\", got " +
                            std::string(inner.is_bool() ? "false" : json_kind_name(inner)));
            }
            out = null_value{};
        } else if (type == "M") {
            const boost::json::object* m =
                expect_nested(inner, type, &boost::json::value::if_object, "an object", depth);
            if (!m) return errc::malformed_response;
            out = attribute_map();
            const std::size_t saved = path_.size();
            path_ += ".M";
            if (error_code ec = members(*m, *out.get_if<attribute_map>(), depth + 1)) return ec;
            path_.resize(saved);
        } else if (type == "L") {
            const boost::json::array* a =
                expect_nested(inner, type, &boost::json::value::if_array, "an array", depth);
            if (!a) return errc::malformed_response;
            out = attribute_list();
            attribute_list& list = *out.get_if<attribute_list>();
            list.resize(a->size());
            const std::size_t saved = path_.size();
            path_ += ".L";
            for (std::size_t i = 0; i < a->size(); ++i) {
                push_index(i);
                if (error_code ec = value((*a)[i], list[i], depth + 1)) return ec;
                pop_index(saved + 2);
            }
            path_.resize(saved);
        } else if (type == "SS") {
            return read_set<string_set>(inner, type, out, &reader::read_string);
        } else if (type == "NS") {
            return read_set<number_set>(inner, type, out, &reader::read_number);
        } else if (type == "BS") {
            return read_set<binary_set>(inner, type, out, &reader::read_binary);
        } else {
            return fail("unknown attribute type " + quoted_printable(type));
        }
        return {};
    }

private:
    error_code members(const boost::json::object& object, attribute_map& out, int depth)
    {
        out.clear();
        attribute_map_access::reserve(out, object.size());
        const std::size_t saved = path_.size();
        for (const auto& member : object) {
            if (saved != 0) path_ += '.';
            path_.append(member.key().data(), member.key().size());
            attribute_value& v = attribute_map_access::append(out, std::string(member.key()), {});
            if (error_code ec = value(member.value(), v, depth)) return ec;
            path_.resize(saved);
        }
        return {};
    }

    // SS, NS or BS: a Set whose elements `read_element` reads.
    template <class Set, class T>
    error_code read_set(const boost::json::value& json, std::string_view type,
                        attribute_value& result,
                        error_code (reader::*read_element)(const boost::json::value&,
                                                           std::string_view, T&))
    {
        const boost::json::array* a = expect(json, type, &boost::json::value::if_array, "an array");
        if (!a) return errc::malformed_response;
        Set set;
        auto& out = set.values;
        out.resize(a->size());
        const std::size_t saved = path_.size();
        path_ += '.';
        path_ += type;
        for (std::size_t i = 0; i < a->size(); ++i) {
            push_index(i);
            if (error_code ec = (this->*read_element)((*a)[i], type, out[i])) return ec;
            pop_index(saved + 1 + type.size());
        }
        path_.resize(saved);
        result = std::move(set);
        return {};
    }

    const boost::json::string* expect_string(const boost::json::value& json, std::string_view type)
    {
        return expect(json, type, &boost::json::value::if_string, "a string");
    }

    // The JSON of a `type` value as what `if_kind` gives; null, after failing, for JSON that is
    // not `kind`.
    template <class T>
    const T* expect(const boost::json::value& json, std::string_view type,
                    const T* (boost::json::value::*if_kind)() const noexcept, std::string_view kind)
    {
        const T* typed = (json.*if_kind)();
        if (!typed) {
            fail("expected " + std::string(kind) + " for \"" + std::string(type) + "\", got " +
                 std::string(json_kind_name(json)));
        }
        return typed;
    }

    // The JSON of an M or L value at `depth`, as expect gives it; null, after failing, when it
    // is nested deeper than DynamoDB allows.
    template <class T>
    const T* expect_nested(const boost::json::value& json, std::string_view type,
                           const T* (boost::json::value::*if_kind)() const noexcept,
                           std::string_view kind, int depth)
    {
        const T* typed = expect(json, type, if_kind, kind);
        if (typed == nullptr || depth < max_nesting) return typed;
        too_deep();
        return nullptr;
    }

    error_code read_string(const boost::json::value& json, std::string_view type, std::string& out)
    {
        const boost::json::string* s = expect_string(json, type);
        if (!s) return errc::malformed_response;
        out.assign(s->data(), s->size());
        return {};
    }

    error_code read_number(const boost::json::value& json, std::string_view type, number& out)
    {
        const boost::json::string* s = expect_string(json, type);
        if (!s) return errc::malformed_response;
        std::string reason;
        if (number::parse(*s, out, why_ ? &reason : nullptr)) {
            return fail("\"" + std::string(type) + "\" value " + reason);
        }
        return {};
    }

    error_code read_binary(const boost::json::value& json, std::string_view type, bytes& out)
    {
        const boost::json::string* s = expect_string(json, type);
        if (!s) return errc::malformed_response;
        if (base64_decode(*s, out)) {
            return fail("\"" + std::string(type) + "\" value is not valid base64");
        }
        return {};
    }

    void push_index(std::size_t i)
    {
        path_ += '[';
        path_ += std::to_string(i);
        path_ += ']';
    }
    void pop_index(std::size_t size) { path_.resize(size); }

    error_code too_deep()
    {
        return fail("maps and lists are nested deeper than 32 levels, DynamoDB's limit");
    }

    error_code fail(std::string_view message)
    {
        if (why_) {
            why_->assign(path_);
            if (!path_.empty()) why_->append(": ");
            why_->append(message);
        }
        return errc::malformed_response;
    }

    std::string path_;
    std::string* why_;
};

}  // namespace

void write_value(json_writer& w, const attribute_value& v)
{
    using kind = attribute_value::kind;
    switch (v.type()) {
        case kind::s:
            w.begin_object();
            w.member("S", std::string_view(*v.get_if<std::string>()));
            w.end_object();
            return;
        case kind::n:
            w.begin_object();
            w.member("N", std::string_view(v.get_if<number>()->text()));
            w.end_object();
            return;
        case kind::b:
            w.begin_object();
            w.key("B");
            w.binary(*v.get_if<bytes>());
            w.end_object();
            return;
        case kind::boolean:
            w.begin_object();
            w.member("BOOL", *v.get_if<bool>());
            w.end_object();
            return;
        case kind::null:
            w.begin_object();
            w.member("NULL", true);
            w.end_object();
            return;
        case kind::m:
            w.begin_object();
            w.key("M");
            write_item(w, *v.get_if<attribute_map>());
            w.end_object();
            return;
        case kind::l:
            w.begin_object();
            w.key("L");
            w.begin_array();
            for (const attribute_value& element : *v.get_if<attribute_list>())
                write_value(w, element);
            w.end_array();
            w.end_object();
            return;
        case kind::ss:
            write_set(w, "SS", *v.get_if<string_set>());
            return;
        case kind::ns:
            write_set(w, "NS", *v.get_if<number_set>());
            return;
        case kind::bs:
            write_set(w, "BS", *v.get_if<binary_set>());
            return;
    }
}

void write_item(json_writer& w, const attribute_map& item)
{
    w.begin_object();
    for (const auto& [name, value] : item) {
        w.key(name);
        write_value(w, value);
    }
    w.end_object();
}

error_code read_value(const boost::json::value& json, attribute_value& out, std::string_view where,
                      std::string* why)
{
    reader r(where, why);
    return r.value(json, out, 0);
}

error_code read_item(const boost::json::value& json, attribute_map& out, std::string_view where,
                     std::string* why)
{
    reader r(where, why);
    return r.item(json, out);
}

}  // namespace dynomite::detail
