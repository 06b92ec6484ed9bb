// The query planner, sans-io: from a table's schema and what a relation asks for, the
// DynamoDB request to send: a Query on the table or on an index, or a Scan.
#pragma once

#include <dynomite/expr/condition.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/protocol/query_scan.hpp>
#include <dynomite/query/table_schema.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dynomite {

/// Everything a relation says about the items it wants; the planner's input.
struct relation_spec {
    /// All conditions, ANDed. The planner moves what it can into the key condition and
    /// leaves the rest as the filter.
    condition where;
    /// project(...): the attributes wanted; empty means all of them.
    std::vector<document_path> projection;
    /// index_name(...): use this index (or "" for the table itself) and no other.
    std::optional<std::string> index_name;
    bool force_scan = false;
    bool consistent_read = false;
    bool scan_forward = true;
    /// Items to yield at most, 1 or more (the relation trims the last page). DynamoDB's Limit
    /// counts items evaluated before the filter, so the planner derives the request's Limit
    /// as explained at plan_relation.
    std::optional<std::int64_t> limit;
    /// Items DynamoDB reads per page (its Limit) when no limit() makes it smaller; 1 or more.
    std::optional<std::int32_t> page_size;
    std::optional<attribute_map> exclusive_start_key;
    /// Select=COUNT: count without returning items. Excludes a projection.
    bool count_only = false;
    /// Parallel scan: the segment of total_segments this request reads. Both or neither;
    /// 0 <= segment < total_segments <= 1000000; only for a Scan (see force_scan).
    std::optional<std::int32_t> segment;
    std::optional<std::int32_t> total_segments;
};

struct query_plan {
    enum class operation { query, scan };
    operation op = operation::scan;
    /// The index read, or empty for the table.
    std::string index_name;
    /// How many conditions became key conditions (partition key equality counts 1, a sort-key
    /// condition 1 more; `sk >= a` and `sk <= b` count 2, merged into `sk BETWEEN a AND b`).
    int key_conditions = 0;
    /// Why this table or index was chosen, or why a Scan: shown by explain().
    std::string reason;
    /// The exact request: a query_request for op == query, a scan_request for op == scan.
    std::variant<query_request, scan_request> request;
    /// Conditions on the queried key's attributes that DynamoDB takes neither in the key
    /// condition nor in the filter: the client evaluates them on each item returned, before
    /// it is yielded or counted (so a count reads items instead of Select=COUNT, and the
    /// request's Limit is never lowered to the items wanted). Empty for none.
    condition residual;
    /// Attributes the request reads only to evaluate `residual`: removed from each item after.
    std::vector<std::string> residual_only_attributes;

    /// A readable description: operation, index, expressions with their placeholders
    /// resolved for reading, and the reason, then the raw expressions:
    /// `Query on index by_category (key condition: category = "Electronics" AND price < 1000;
    /// Limit 10; reason: ...) [KeyConditionExpression: #n0 = :v0 AND #n1 < :v1]`.
    std::string to_string() const;
};

/// Plans a relation over a table.
///
/// Candidates are the table's key, its local indexes and its ACTIVE global indexes. An index
/// is a candidate only if the conditions require each of its key attributes to exist (a
/// top-level conjunct that cannot hold without it: a comparison other than `<>`, BETWEEN, IN,
/// begins_with, contains, attribute_type or attribute_exists on it; an OR only if every
/// branch is one): an index lacks the items without its key attributes, which would be
/// missing from every result. The table holds every item. An index whose key attribute is
/// compared with a value of another type than its declared one is not a candidate either.
///
/// A candidate is usable when `where` has, among its top-level conjuncts, an equality on the
/// partition key (a plain `=` on exactly that attribute, not under OR or NOT). Of the
/// conjuncts on the sort key, the key condition takes an equality; else a BETWEEN; else a
/// lower and an upper bound as BETWEEN (exact when both are inclusive); else begins_with;
/// else one bound. DynamoDB forbids the key attributes in the filter, so every other
/// conjunct that mentions one (a second bound, an exclusive bound, `<>`, IN, OR, NOT...) is
/// evaluated by the client on each item returned (query_plan::residual); a candidate whose
/// such conjunct the client cannot evaluate (size() or a comparison of two attributes) is
/// not usable. The other conjuncts form the filter. A global index is not usable with
/// consistent_read; an index that does not carry what the relation reads (all attributes
/// without a projection; else the projection's, the filter's and the residual's top-level
/// attributes) is not usable either. The usable candidate with the most key conditions wins;
/// ties go to the table, then local indexes, then global ones, by name. Without one, the plan
/// is a Scan of the table whose reason says why nothing fits.
///
/// index_name forces that index ("" the table), sparse or not: a Query when it is usable, else
/// a Scan of it; only the items the index holds are read;
/// force_scan makes a Scan (of the forced index, if any).
///
/// DynamoDB's Limit counts items read before the filter, so the request's Limit is:
/// min(limit, page_size) when limit is set and there is no filter; page_size (or none) when
/// there is a filter, since a small Limit with a selective filter would need many tiny pages;
/// page_size (or none) without a limit. A residual counts as a filter.
///
/// Fails with errc::invalid_argument, before anything is sent, when the relation cannot be
/// valid: index_name names no index of the table (the message lists them), the forced index
/// is not ACTIVE, consistent_read on a global index, a projection or filter the forced index
/// does not carry, a key condition's value whose type does not fit the declared type of a
/// key attribute of the table or of the forced index (e.g. a number for a string key, or
/// begins_with on a number key), a projection of part of an attribute the residual reads
/// whole, an expression over DynamoDB's
/// limits or an overlapping projection, count_only with a projection, a limit or page_size
/// below 1, a segment without total_segments (or the reverse) or out of range, segments on a
/// Query, or scan_forward == false on a Scan.
error_code plan_relation(const table_schema& schema, const relation_spec& spec, query_plan& out,
                         std::string* why = nullptr);

}  // namespace dynomite
