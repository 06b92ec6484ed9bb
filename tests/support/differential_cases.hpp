// Random tables, items and relations for the differential test of relations: table keys and
// sparse indexes of every projection, items of every type, and conditions biased towards
// index keys, each with its meaning as an oracle::expr.
#pragma once

#include "support/condition_oracle.hpp"

#include <dynomite/protocol/operations.hpp>
#include <dynomite/query/relation.hpp>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::test::differential {

using random_engine = std::mt19937_64;

struct key_attribute {
    std::string name;
    scalar_attribute_type type = scalar_attribute_type::s;
};

struct index_shape {
    std::string name;
    bool global = true;
    key_attribute hash;
    std::optional<key_attribute> range;
    projection_type projection = projection_type::all;
    std::vector<std::string> included;  // with INCLUDE
};

struct table_shape {
    key_attribute hash;
    std::optional<key_attribute> range;
    std::vector<index_shape> indexes;
    /// Every key attribute of the table and its indexes, with its declared type.
    std::vector<key_attribute> declared;

    const key_attribute* declared_attribute(std::string_view name) const;
    /// "pk N, sk S; gsi_0 (g1 S, pk N) KEYS_ONLY; ..."
    std::string describe() const;
};

table_shape random_table_shape(random_engine& rng);
create_table_request table_request(const table_shape& shape, std::string name);
/// Items of every type; index key attributes are often missing (sparse indexes) and, when
/// present, of their declared type (DynamoDB refuses any other).
std::vector<attribute_map> random_items(const table_shape& shape, std::size_t count,
                                        random_engine& rng);

/// How a step joins what comes before it: where(), or_(), not_().
enum class join { and_, or_, and_not };

/// One call on a relation.
struct relation_step {
    enum class form {
        field_key,  // where("path.op", values), or_(...), not_(...)
        method,     // attribute_exists(path), contains(path, v), size_fn("path.op", v), ...
        condition,  // where(dynomite::condition), or_(...), not_(...)
    };
    join how = join::and_;
    form spelling = form::condition;
    /// The term as written; with a "not_op" key, the leaf before its negation.
    oracle::expr term;
    bool negated_key = false;
};

struct relation_case {
    std::vector<relation_step> steps;
    std::int64_t limit = 1;
    /// Whether generation meant a request DynamoDB refuses (the relation may be refused).
    bool meant_invalid = false;

    /// The meaning of the steps: none when there are no conditions.
    std::optional<oracle::expr> condition() const;
    /// `table.where("pk", "a").or_(...)`, readable and close to the calls made.
    std::string describe() const;
    /// Throws dynomite::error when a builder refuses the call.
    relation apply(relation base) const;
};

relation_case random_case(const table_shape& shape, const std::vector<attribute_map>& items,
                          random_engine& rng);

namespace detail {
bool chance(random_engine& rng, double p);
/// Uniform in [0, n).
std::size_t pick(random_engine& rng, std::size_t n);
template <class T>
const T& pick_of(random_engine& rng, const std::vector<T>& v)
{
    return v[pick(rng, v.size())];
}
/// Value i of the type's domain; distinct i give distinct values, never an empty one.
attribute_value domain_value(scalar_attribute_type type, std::size_t i);
attribute_value random_scalar(random_engine& rng, scalar_attribute_type type,
                              std::size_t domain = 24);
/// S, N, B, BOOL or NULL.
attribute_value random_any_scalar(random_engine& rng);
}  // namespace detail

/// The library's condition for `e`, through the builders of condition.hpp.
condition to_library_condition(const oracle::expr& e);

}  // namespace dynomite::test::differential
