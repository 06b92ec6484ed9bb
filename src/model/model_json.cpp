// A record as JSON: to_json() and assign_json().
#include "core/json_writer.hpp"
#include "core/plain_json.hpp"
#include "model/record_engine.hpp"

#include <dynomite/model.hpp>

#include <string>
#include <vector>

namespace dynomite {

namespace {

void write_json(detail::json_writer& w, const attribute_value& v)
{
    struct visitor {
        detail::json_writer& w;
        void operator()(const std::string& s) const { w.string(s); }
        void operator()(const number& n) const { w.decimal(n.text()); }
        void operator()(const bytes& b) const { w.binary(b); }
        void operator()(bool b) const { w.boolean(b); }
        void operator()(null_value) const { w.null(); }
        void operator()(const attribute_map& m) const
        {
            w.begin_object();
            for (const auto& [name, value] : m) {
                w.key(name);
                write_json(w, value);
            }
            w.end_object();
        }
        void operator()(const attribute_list& l) const
        {
            w.begin_array();
            for (const auto& value : l) write_json(w, value);
            w.end_array();
        }
        void operator()(const string_set& s) const
        {
            w.begin_array();
            for (const auto& value : s.values) w.string(value);
            w.end_array();
        }
        void operator()(const number_set& s) const
        {
            w.begin_array();
            for (const auto& value : s.values) w.decimal(value.text());
            w.end_array();
        }
        void operator()(const binary_set& s) const
        {
            w.begin_array();
            for (const auto& value : s.values) w.binary(value);
            w.end_array();
        }
    };
    std::visit(visitor{w}, v.value());
}

/// The other readings of a JSON value that to_json() may have written: a string as binary,
/// an array as a set.
std::vector<attribute_value> alternatives(const attribute_value& natural)
{
    std::vector<attribute_value> out;
    if (const auto* s = natural.get_if<std::string>()) {
        bytes b;
        if (!base64_decode(*s, b)) out.emplace_back(std::move(b));
    } else if (const auto* l = natural.get_if<attribute_list>()) {
        string_set ss;
        number_set ns;
        binary_set bs;
        bool strings = true;
        bool numbers = true;
        bool binaries = true;
        for (const auto& e : *l) {
            if (const auto* s = e.get_if<std::string>()) {
                ss.values.push_back(*s);
                bytes b;
                if (binaries && !base64_decode(*s, b)) {
                    bs.values.push_back(std::move(b));
                } else {
                    binaries = false;
                }
            } else {
                strings = binaries = false;
            }
            if (const auto* n = e.get_if<number>()) {
                ns.values.push_back(*n);
            } else {
                numbers = false;
            }
        }
        if (strings) out.emplace_back(std::move(ss));
        if (numbers) out.emplace_back(std::move(ns));
        if (binaries) out.emplace_back(std::move(bs));
    }
    return out;
}

}  // namespace

std::string model_base::to_json() const
{
    const auto& d = descriptor();
    std::string out;
    detail::json_writer w(out);
    w.begin_object();
    for (const auto& f : d.fields) {
        w.key(f.name);
        if (auto v = f.read(*this)) {
            write_json(w, *v);
        } else {
            w.null();
        }
    }
    if (const auto& type = d.root->inheritance_field) {
        const attribute_value* stored_type = stored_.find(*type);
        w.key(*type);
        w.string(stored_type && stored_type->is_s() ? stored_type->as_s() : d.inheritance_name);
    }
    w.end_object();
    return out;
}

error_code model_base::assign_json(std::string_view json, std::string* why)
{
    const auto& d = descriptor();
    // Numbers keep their text: a double would round 38 digits to 17.
    attribute_value parsed;
    std::string parse_why;
    const error_code parse_ec = detail::read_plain_json(json, parsed, &parse_why);
    const attribute_map* members = parsed.get_if<attribute_map>();
    if (parse_ec || !members) {
        if (why) *why = d.type_name + " from JSON: " + (parse_ec ? parse_why : "not a JSON object");
        return errc::invalid_argument;
    }
    for (const auto& f : d.fields) {
        const attribute_value* j = members->find(f.name);
        if (j == nullptr) continue;
        const attribute_value& natural = *j;
        if (natural.is_null()) {
            std::string refused = detail::null_refusal(*this, f);
            if (!refused.empty()) {
                if (why) *why = d.type_name + " from JSON: " + std::move(refused);
                return errc::invalid_argument;
            }
        }
        std::string reason;
        error_code ec = f.write(*this, natural.is_null() ? nullptr : &natural, &reason);
        if (ec) {
            for (const auto& alt : alternatives(natural)) {
                if (!f.write(*this, &alt, nullptr)) {
                    ec = {};
                    break;
                }
            }
        }
        if (ec) {
            if (why)
                *why = d.type_name + " from JSON: field " + detail::quoted(f.name) + ": " + reason;
            return errc::invalid_argument;
        }
    }
    return {};
}

}  // namespace dynomite