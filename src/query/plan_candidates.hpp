// The planner's candidates: the table's key and each index a relation could read, and how
// each would serve the relation's conditions and projection. Private to the library; sans-io.
#pragma once

#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/expr/condition.hpp>
#include <dynomite/query/query_plan.hpp>
#include <dynomite/query/table_schema.hpp>

#include <string>
#include <utility>
#include <vector>

namespace dynomite::detail {

/// A relation the planner refuses: errc::invalid_argument, with `message` as the reason.
inline error_code fail(std::string* why, std::string message)
{
    if (why) *why = std::move(message);
    return errc::invalid_argument;
}

// A table key or an index the relation could read.
struct candidate {
    const index_schema* index = nullptr;  // null for the table
    primary_key key;

    int rank() const noexcept
    {
        if (!index) return 0;
        return index->type == index_schema::kind::local ? 1 : 2;
    }
    const std::string& name() const
    {
        static const std::string table;
        return index ? index->name : table;
    }
    // "table key" or "index by_email", for reasons.
    std::string label() const { return index ? "index " + index->name : "table key"; }
    // "table \"Posts\"" or "index \"by_email\"", for error messages.
    std::string owner(const table_schema& schema) const
    {
        return index ? "index " + detail::quoted(index->name)
                     : "table " + detail::quoted(schema.table_name);
    }
};

/// The table's key first, then the local indexes, then the global ones, each by name.
std::vector<candidate> candidates_of(const table_schema& schema);

// How a candidate would serve the relation's conditions.
struct analysis {
    bool has_equality = false;
    bool usable = false;
    std::string rejection;  // why not usable
    condition key_condition;
    std::vector<condition> filter_terms;
    // Conditions on the key attributes that neither the key condition nor the filter can
    // take: evaluated on the client.
    std::vector<condition> residual_terms;
    std::vector<std::string> key_attributes;  // those with a key condition
    int consumed = 0;
};

// How the planner treats a candidate: chosen among others, or forced by index_name().
enum class choice { automatic, forced };

/// How `c` would serve `conjuncts`. A plain rejection is `out.rejection`; an error is a
/// mistake in the relation (a key condition's value of another type than the key).
error_code analyze(const table_schema& schema, const candidate& c, choice how,
                   const std::vector<condition>& conjuncts, analysis& out, std::string* why);

/// Adds `name` to `names` unless it is there.
void add_name(std::vector<std::string>& names, const std::string& name);
// The top-level attributes a condition reads, wherever they appear in it.
void collect_attributes(const condition& c, std::vector<std::string>& out);

// Empty when the candidate holds everything the relation reads, else what it lacks.
std::string lacking(const table_schema& schema, const candidate& c, const relation_spec& spec,
                    const std::vector<condition>& filter_terms);

// The terms whose attributes the request must read: the filter's and the client's.
std::vector<condition> read_terms(const analysis& a);

bool is_global(const candidate& c) noexcept;

}  // namespace dynomite::detail
