#include "support/differential_cases.hpp"

#include <dynomite/expr/condition.hpp>

#include <algorithm>
#include <array>
#include <set>

namespace dynomite::test::differential {

namespace {

using oracle::expr;
using namespace std::string_view_literals;

// Values come from small domains so that conditions often match: index i of a domain is
// always the same value.
const std::array<std::string_view, 18> string_pool = {"a",
                                                      "ab",
                                                      "abc",
                                                      "b",
                                                      "ba",
                                                      "c",
                                                      "x",
                                                      "xy",
                                                      "\xC3\xA9",
                                                      "z",
                                                      "\xF0\x9F\x98\x80",
                                                      "\xEF\xBD\xA1",
                                                      "A",
                                                      "0",
                                                      "10",
                                                      "9",
                                                      "a b",
                                                      "Ab"};
const std::array<std::string_view, 18> number_pool = {"0",
                                                      "1",
                                                      "-1",
                                                      "1.5",
                                                      "-7.25",
                                                      "10",
                                                      "100",
                                                      "1E+100",
                                                      "-1E+100",
                                                      "1E-100",
                                                      "1.0000000000000000000000000000000000001",
                                                      "12345678901234567890123456789012345678",
                                                      "-0.001",
                                                      "3.14159",
                                                      "99999999999999999999",
                                                      "2",
                                                      "0.5",
                                                      "-12345678901234567890.5"};
const std::array<std::string_view, 9> bytes_pool = {"\x01"sv,     "\x01\x02"sv,     "\x02"sv,
                                                    "\x7f"sv,     "\x80"sv,         "\xff"sv,
                                                    "\xff\x00"sv, "\x01\x02\x03"sv, "\x00"sv};

}  // namespace

namespace detail {

bool chance(random_engine& rng, double p)
{
    return std::bernoulli_distribution(p)(rng);
}

std::size_t pick(random_engine& rng, std::size_t n)
{
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

scalar_attribute_type random_key_type(random_engine& rng)
{
    const auto r = pick(rng, 10);
    return r < 5 ? scalar_attribute_type::s
                 : (r < 8 ? scalar_attribute_type::n : scalar_attribute_type::b);
}

/// Value i of a domain of the type; distinct i are distinct values.
attribute_value domain_value(scalar_attribute_type type, std::size_t i)
{
    switch (type) {
        case scalar_attribute_type::n:
            if (i < number_pool.size()) return number(number_pool[i]);
            return number(static_cast<std::int64_t>(i) * 3 - 40);
        case scalar_attribute_type::b: {
            if (i < bytes_pool.size()) return to_bytes(bytes_pool[i]);
            return to_bytes("k" + std::to_string(i));
        }
        default:
            if (i < string_pool.size()) return std::string(string_pool[i]);
            return "k" + std::to_string(i);
    }
}

attribute_value random_scalar(random_engine& rng, scalar_attribute_type type, std::size_t domain)
{
    return domain_value(type, pick(rng, domain));
}

attribute_value random_any_scalar(random_engine& rng)
{
    const auto r = pick(rng, 10);
    if (r < 4) return random_scalar(rng, scalar_attribute_type::s);
    if (r < 7) return random_scalar(rng, scalar_attribute_type::n);
    if (r < 8) return random_scalar(rng, scalar_attribute_type::b);
    if (r < 9) return chance(rng, 0.5);
    return null_value{};
}

}  // namespace detail

namespace {

using namespace detail;

template <class T, class Make, class Same>
std::vector<T> distinct_members(random_engine& rng, Make make, Same same)
{
    std::vector<T> out;
    const auto n = 1 + pick(rng, 3);
    for (std::size_t i = 0; i < n; ++i) {
        T v = make();
        if (std::none_of(out.begin(), out.end(), [&](const T& x) { return same(x, v); }))
            out.push_back(std::move(v));
    }
    return out;
}

attribute_map random_nested_map(random_engine& rng)
{
    attribute_map m;
    if (chance(rng, 0.7))
        m.set("f", chance(rng, 0.5) ? random_scalar(rng, scalar_attribute_type::s)
                                    : random_scalar(rng, scalar_attribute_type::n));
    if (chance(rng, 0.6))
        m.set("h", attribute_map{{"k", random_scalar(rng, scalar_attribute_type::s, 8)}});
    if (chance(rng, 0.6)) {
        attribute_list g;
        const auto n = pick(rng, 4);
        for (std::size_t i = 0; i < n; ++i)
            g.push_back(random_scalar(rng, scalar_attribute_type::n, 8));
        m.set("g", std::move(g));
    }
    return m;
}

attribute_list random_list(random_engine& rng)
{
    attribute_list l;
    const auto n = pick(rng, 5);
    for (std::size_t i = 0; i < n; ++i) {
        if (chance(rng, 0.15)) {
            l.push_back(attribute_map{{"k", random_scalar(rng, scalar_attribute_type::s, 8)}});
        } else {
            l.push_back(random_any_scalar(rng));
        }
    }
    return l;
}

/// The non-key attributes, each often missing, some of varying types.
void add_free_attributes(attribute_map& item, random_engine& rng)
{
    const auto r = pick(rng, 20);
    if (r < 11) {
        item.set("s", chance(rng, 0.1) ? attribute_value(std::string())
                                       : random_scalar(rng, scalar_attribute_type::s));
    } else if (r < 14) {
        item.set("s", random_scalar(rng, scalar_attribute_type::n));
    } else if (r < 16) {
        item.set("s", random_scalar(rng, scalar_attribute_type::b));
    } else if (r < 17) {
        item.set("s", chance(rng, 0.5));
    }
    if (chance(rng, 0.7))
        item.set("n", random_scalar(rng, scalar_attribute_type::n));
    else if (chance(rng, 0.3))
        item.set("n", random_scalar(rng, scalar_attribute_type::s));
    if (chance(rng, 0.5))
        item.set("b", chance(rng, 0.1) ? attribute_value(bytes{})
                                       : random_scalar(rng, scalar_attribute_type::b));
    if (chance(rng, 0.6))
        item.set("flag", chance(rng, 0.85) ? attribute_value(chance(rng, 0.5))
                                           : attribute_value(null_value{}));
    if (chance(rng, 0.4)) item.set("nul", null_value{});
    if (chance(rng, 0.6)) item.set("m", random_nested_map(rng));
    if (chance(rng, 0.6)) item.set("l", random_list(rng));
    if (chance(rng, 0.4)) {
        item.set("ss",
                 string_set{distinct_members<std::string>(
                     rng, [&] { return random_scalar(rng, scalar_attribute_type::s, 10).as_s(); },
                     std::equal_to<>())});
    }
    if (chance(rng, 0.4)) {
        item.set("ns",
                 number_set{distinct_members<number>(
                     rng, [&] { return random_scalar(rng, scalar_attribute_type::n, 10).as_n(); },
                     [](const number& a, const number& b) {
                         return oracle::compare_numbers(a.text(), b.text()) == 0;
                     })});
    }
    if (chance(rng, 0.3)) {
        item.set("bs",
                 binary_set{distinct_members<bytes>(
                     rng, [&] { return random_scalar(rng, scalar_attribute_type::b, 9).as_b(); },
                     std::equal_to<>())});
    }
    if (chance(rng, 0.3))
        item.set("e", std::string());
    else if (chance(rng, 0.2))
        item.set("e", bytes{});
}

const std::vector<std::string> free_attributes = {"s", "n",  "b",  "flag", "nul", "m",
                                                  "l", "ss", "ns", "bs",   "e"};
const std::vector<std::string> nested_paths = {"m.f",  "m.h.k", "m.g[0]", "m.g[2]",
                                               "l[0]", "l[1]",  "l[0].k", "m.h"};

std::string_view type_text(scalar_attribute_type t)
{
    return t == scalar_attribute_type::s ? "S" : (t == scalar_attribute_type::n ? "N" : "B");
}

std::string_view projection_text(projection_type p)
{
    return p == projection_type::all ? "ALL"
                                     : (p == projection_type::keys_only ? "KEYS_ONLY" : "INCLUDE");
}

}  // namespace

const key_attribute* table_shape::declared_attribute(std::string_view name) const
{
    const auto found = std::find_if(declared.begin(), declared.end(),
                                    [&](const key_attribute& k) { return k.name == name; });
    return found == declared.end() ? nullptr : &*found;
}

std::string table_shape::describe() const
{
    auto key = [](const key_attribute& k) { return k.name + " " + std::string(type_text(k.type)); };
    std::string out = key(hash) + (range ? ", " + key(*range) : "");
    for (const auto& index : indexes) {
        out += "; " + std::string(index.global ? "global " : "local ") + index.name + " (" +
               key(index.hash) + (index.range ? ", " + key(*index.range) : "") + ") " +
               std::string(projection_text(index.projection));
        for (const auto& a : index.included) out += " " + a;
    }
    return out;
}

table_shape random_table_shape(random_engine& rng)
{
    table_shape shape;
    // Declared types of every attribute that may become a key.
    std::vector<key_attribute> keyable;
    for (const char* name : {"pk", "sk", "g1", "g2", "g3", "l1", "l2"})
        keyable.push_back({name, random_key_type(rng)});
    auto named = [&](std::string_view name) {
        return *std::find_if(keyable.begin(), keyable.end(),
                             [&](const key_attribute& k) { return k.name == name; });
    };
    auto declare = [&](const key_attribute& k) {
        if (!shape.declared_attribute(k.name)) shape.declared.push_back(k);
    };
    shape.hash = named("pk");
    declare(shape.hash);
    if (chance(rng, 0.7)) {
        shape.range = named("sk");
        declare(*shape.range);
    }
    auto projection_of = [&](index_shape& index) {
        const auto r = pick(rng, 3);
        index.projection = r == 0
                               ? projection_type::all
                               : (r == 1 ? projection_type::keys_only : projection_type::include);
        if (index.projection != projection_type::include) return;
        std::vector<std::string> candidates = free_attributes;
        for (const char* name : {"g1", "g2", "l1"}) candidates.push_back(name);
        for (const auto& a : candidates)
            if (chance(rng, 0.3)) index.included.push_back(a);
        if (index.included.empty()) index.included.push_back(pick_of(rng, candidates));
    };
    const auto globals = pick(rng, 4);
    for (std::size_t i = 0; i < globals; ++i) {
        index_shape index;
        index.name = "gsi_" + std::to_string(i);
        std::vector<std::string> hashes = {"g1", "g2", "g3"};
        if (shape.range) hashes.push_back("sk");
        index.hash = named(pick_of(rng, hashes));
        if (chance(rng, 0.6)) {
            std::vector<std::string> ranges = {"pk", "g1", "g2", "g3", "l1"};
            std::erase(ranges, index.hash.name);
            index.range = named(pick_of(rng, ranges));
        }
        projection_of(index);
        // DynamoDB refuses INCLUDE of a key attribute of the index or the table.
        std::erase_if(index.included, [&](const std::string& a) {
            return a == index.hash.name || (index.range && a == index.range->name);
        });
        if (index.projection == projection_type::include && index.included.empty())
            index.included.push_back("s");
        declare(index.hash);
        if (index.range) declare(*index.range);
        shape.indexes.push_back(std::move(index));
    }
    const auto locals = shape.range ? pick(rng, 3) : 0;
    for (std::size_t i = 0; i < locals; ++i) {
        index_shape index;
        index.name = "lsi_" + std::to_string(i);
        index.global = false;
        index.hash = shape.hash;
        std::vector<std::string> ranges = {"l1", "l2", "g1"};
        index.range = named(pick_of(rng, ranges));
        if (std::any_of(shape.indexes.begin(), shape.indexes.end(), [&](const index_shape& x) {
                return !x.global && x.range->name == index.range->name;
            }))
            continue;  // two local indexes on one sort key are allowed, but add nothing
        projection_of(index);
        std::erase(index.included, index.range->name);
        if (index.projection == projection_type::include && index.included.empty())
            index.included.push_back("s");
        declare(*index.range);
        shape.indexes.push_back(std::move(index));
    }
    // INCLUDE must not name any key attribute of the table either.
    for (auto& index : shape.indexes) {
        std::erase_if(index.included, [&](const std::string& a) {
            return a == shape.hash.name || (shape.range && a == shape.range->name);
        });
        if (index.projection == projection_type::include && index.included.empty())
            index.included.push_back("n");
    }
    return shape;
}

create_table_request table_request(const table_shape& shape, std::string name)
{
    create_table_request request;
    request.table_name = std::move(name);
    request.billing_mode = billing_mode::pay_per_request;
    for (const auto& k : shape.declared) request.attribute_definitions.push_back({k.name, k.type});
    request.key_schema.push_back({shape.hash.name, key_type::hash});
    if (shape.range) request.key_schema.push_back({shape.range->name, key_type::range});
    for (const auto& index : shape.indexes) {
        std::vector<key_schema_element> keys = {{index.hash.name, key_type::hash}};
        if (index.range) keys.push_back({index.range->name, key_type::range});
        projection p{index.projection, index.included};
        if (index.global) {
            global_secondary_index g;
            g.index_name = index.name;
            g.key_schema = std::move(keys);
            g.projection = std::move(p);
            request.global_secondary_indexes.push_back(std::move(g));
        } else {
            local_secondary_index l;
            l.index_name = index.name;
            l.key_schema = std::move(keys);
            l.projection = std::move(p);
            request.local_secondary_indexes.push_back(std::move(l));
        }
    }
    return request;
}

std::vector<attribute_map> random_items(const table_shape& shape, std::size_t count,
                                        random_engine& rng)
{
    std::vector<attribute_map> items;
    const std::size_t partitions = shape.range ? 4 + pick(rng, 5) : count * 3;
    for (std::size_t i = 0; i < count; ++i) {
        attribute_map item;
        item.set(shape.hash.name, domain_value(shape.hash.type, pick(rng, partitions)));
        if (shape.range) item.set(shape.range->name, random_scalar(rng, shape.range->type, 40));
        for (const auto& k : shape.declared) {
            if (item.contains(k.name) || !chance(rng, 0.65)) continue;
            item.set(k.name, random_scalar(rng, k.type, k.name[0] == 'g' ? 8 : 30));
        }
        add_free_attributes(item, rng);
        // One write per key: BatchWriteItem refuses a key twice.
        const bool repeated = std::any_of(items.begin(), items.end(), [&](const attribute_map& x) {
            return oracle::values_equal(*x.find(shape.hash.name), *item.find(shape.hash.name)) &&
                   (!shape.range || oracle::values_equal(*x.find(shape.range->name),
                                                         *item.find(shape.range->name)));
        });
        if (!repeated) items.push_back(std::move(item));
    }
    return items;
}

}  // namespace dynomite::test::differential
