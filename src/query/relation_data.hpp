// A relation's data, shared by its copies and its cursors, and the planning of it into
// requests. Private to the library.
#pragma once

#include "query/database_state.hpp"

#include <dynomite/expr/field_operator.hpp>
#include <dynomite/query/cursor.hpp>
#include <dynomite/query/pagination.hpp>
#include <dynomite/query/query_plan.hpp>
#include <dynomite/query/relation.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite::detail {

struct relation_data {
    std::shared_ptr<database_state> db;
    std::string table;
    relation_spec spec;
    relation_options options;
    /// or_() groups as Ruby's Dynomite does: where(a).or_(b).where(c) is a OR (b AND c).
    /// spec.where is `alternatives OR branch`: the branches before the last or_(), and the
    /// conditions ANDed since (all of them before any or_()).
    condition alternatives;
    condition branch;
    /// ANDed with every alternative: a subclass's type filter, which or_() must not widen.
    condition scope;
    /// How each "field.op" key with a '.' was read, for explain().
    std::vector<std::string> key_readings;
    /// The model class whose relation this is ("Post"), for plan events; empty for a table's.
    std::string model;
};

/// limit(0): the relation has no items, and nothing is sent for it.
inline bool limited_to_none(const relation_spec& spec)
{
    return spec.limit && *spec.limit == 0;
}

/// "\"price.lt\" read as the path price with operator lt", "... read as the nested path a.b".
std::string describe_key_reading(std::string_view key, const field_operator& parsed);
/// A condition in words, values inline and every nested AND or OR parenthesised.
std::string describe_condition(const condition& c);
/// What explain() adds to the plan's reason: the key readings, and the grouping of or_().
std::vector<std::string> explain_readings(const relation_data& data);

struct relation_access {
    static const relation_data& data(const relation& r) noexcept { return *r.data_; }
    static relation make(relation_data data)
    {
        return relation(std::make_shared<const relation_data>(std::move(data)));
    }
    /// `r` as a relation of the model class `model`, as plan events name it.
    static relation of_model(const relation& r, std::string model)
    {
        relation_data copy = *r.data_;
        copy.model = std::move(model);
        return make(std::move(copy));
    }
    /// `r` limited to items matching `scope`, whatever or_() adds later.
    static relation scoped(const relation& r, const condition& scope)
    {
        relation_data copy = *r.data_;
        copy.scope = copy.scope && scope;
        copy.spec.where = copy.scope && (copy.alternatives || copy.branch);
        return make(std::move(copy));
    }
};

/// A relation planned: one plan per segment, and what paging needs to know.
struct prepared_relation {
    std::vector<query_plan> plans;
    /// The attributes of a LastEvaluatedKey: the table's key, then the index's.
    std::vector<std::string> position_attributes;
    std::size_t read_ahead = 1;
};

/// The relation's spec with the database's defaults, as the planner gets it for `segment`.
relation_spec effective_spec(const relation_data& data, std::int32_t segment);

/// Plans `data` over `schema`. With `apply_policy`, a Scan the relation did not force is
/// refused or logged as the scan policy says.
error_code prepare_relation(const relation_data& data, const table_schema& schema,
                            bool apply_policy, prepared_relation& out, std::string& why);

/// Fetches the schema, then prepares.
asio::awaitable<error_code> prepare_relation(const relation_data& data, bool apply_policy,
                                             prepared_relation& out, diagnostics& diag);

/// The paging state for plan `index` of `prepared`.
pagination make_pagination(const relation_data& data, const prepared_relation& prepared,
                           std::size_t index);

std::shared_ptr<cursor_state> make_cursor_state(std::shared_ptr<const relation_data> data);

}  // namespace dynomite::detail
