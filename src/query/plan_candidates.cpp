// The planner's candidates: which of the table's key and its indexes could serve a relation.
#include "query/plan_candidates.hpp"

#include "expr/condition_evaluator.hpp"
#include "query/key_conditions.hpp"

#include <algorithm>
#include <string_view>

namespace dynomite::detail {

std::vector<candidate> candidates_of(const table_schema& schema)
{
    std::vector<candidate> out;
    out.push_back(candidate{nullptr, schema.key});
    for (const index_schema& index : schema.indexes) out.push_back(candidate{&index, index.key});
    std::stable_sort(out.begin(), out.end(), [](const candidate& a, const candidate& b) {
        if (a.rank() != b.rank()) return a.rank() < b.rank();
        return a.name() < b.name();
    });
    return out;
}

namespace {

// Inspection of conditions.

bool is_partition_key_condition(const condition& c, const std::string& name)
{
    return !c.is_logical() && c.op() == condition_op::eq && is_attribute(c.subject(), name) &&
           detail::compares_with_key_values(c);
}

}  // namespace

void add_name(std::vector<std::string>& names, const std::string& name)
{
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

void collect_attributes(const condition& c, std::vector<std::string>& out)
{
    if (c.is_logical()) {
        for (const condition& child : c.children()) collect_attributes(child, out);
        return;
    }
    add_name(out, c.path().attribute_name());
    for (const operand& a : c.arguments()) {
        if (a.type() != operand::kind::value) add_name(out, a.path().attribute_name());
    }
}

namespace {

bool references(const condition& c, const std::string& name)
{
    std::vector<std::string> names;
    collect_attributes(c, names);
    return std::find(names.begin(), names.end(), name) != names.end();
}

scalar_attribute_type scalar_type_of(const attribute_value& v) noexcept
{
    switch (v.type()) {
        case attribute_value::kind::s:
            return scalar_attribute_type::s;
        case attribute_value::kind::n:
            return scalar_attribute_type::n;
        case attribute_value::kind::b:
            return scalar_attribute_type::b;
        default:
            return scalar_attribute_type::unknown;
    }
}

// A key condition's values must have the key attribute's type: items whose index key has
// another type cannot be written, so such a condition is always a mistake.
error_code check_key_types(const table_schema& schema, const candidate& c, const key_attribute& key,
                           const condition& kc, std::string* why)
{
    const std::string attribute = "key attribute " + detail::quoted(key.name) + " of " +
                                  c.owner(schema) + " is of type " +
                                  std::string(to_string(key.type));
    if (kc.op() == condition_op::begins_with && key.type == scalar_attribute_type::n) {
        return fail(why, attribute + "; begins_with needs a key of type S or B");
    }
    for (const operand& a : kc.arguments()) {
        const attribute_value& v = a.value();
        if (scalar_type_of(v) != key.type) {
            return fail(why, attribute + ", but its " + std::string(to_string(kc.op())) +
                                 " condition has a value of type " + std::string(v.type_name()));
        }
    }
    return {};
}

// The key attribute of an index that no condition requires to exist: the index lacks the
// items without it, which the relation may match. None for the table, which holds them all.
const key_attribute* sparse_key(const candidate& c, const std::vector<condition>& conjuncts)
{
    if (!c.index) return nullptr;
    for (const key_attribute* key : {&c.key.partition, c.key.sort ? &*c.key.sort : nullptr}) {
        if (!key) continue;
        const bool required = std::any_of(
            conjuncts.begin(), conjuncts.end(),
            [&](const condition& t) { return detail::requires_existence(t, key->name); });
        if (!required) return key;
    }
    return nullptr;
}

// A key condition's value of another type than the key: an error when the candidate is the
// table (its key types hold for every item, so the condition is a mistake) or forced; else
// the index is merely not a candidate.
error_code check_types(const table_schema& schema, const candidate& c, choice how,
                       const key_attribute& key, const condition& kc, analysis& out,
                       std::string* why)
{
    if (how == choice::forced || !c.index) return check_key_types(schema, c, key, kc, why);
    std::string mismatch;
    if (check_key_types(schema, c, key, kc, &mismatch)) out.rejection = std::move(mismatch);
    return {};
}

}  // namespace

error_code analyze(const table_schema& schema, const candidate& c, choice how,
                   const std::vector<condition>& conjuncts, analysis& out, std::string* why)
{
    out = analysis{};
    const std::string& pk = c.key.partition.name;
    auto pk_it = std::find_if(conjuncts.begin(), conjuncts.end(), [&](const condition& t) {
        return is_partition_key_condition(t, pk);
    });
    if (pk_it == conjuncts.end()) {
        out.rejection = "no equality condition on partition key " + pk;
        return {};
    }
    out.has_equality = true;
    if (c.index && !c.index->active) {
        out.rejection = "not ACTIVE";
        return {};
    }
    if (how == choice::automatic) {
        if (const key_attribute* sparse = sparse_key(c, conjuncts)) {
            out.rejection =
                "does not hold items without " + sparse->name + ", which no condition requires";
            return {};
        }
    }
    if (error_code ec = check_types(schema, c, how, c.key.partition, *pk_it, out, why)) return ec;
    if (!out.rejection.empty()) return {};
    out.key_condition = *pk_it;
    out.key_attributes.push_back(pk);
    out.consumed = 1;

    std::vector<condition> rest;
    for (auto it = conjuncts.begin(); it != conjuncts.end(); ++it) {
        if (it != pk_it) rest.push_back(*it);
    }
    if (c.key.sort) {
        const std::string& sk = c.key.sort->name;
        std::vector<condition> on_sort;
        std::vector<condition> others;
        for (const condition& t : rest) (references(t, sk) ? on_sort : others).push_back(t);
        detail::sort_key_split split = detail::split_sort_key(on_sort, sk);
        if (!split.key_condition.empty()) {
            if (error_code ec =
                    check_types(schema, c, how, *c.key.sort, split.key_condition, out, why))
                return ec;
            if (!out.rejection.empty()) return {};
            out.key_condition = out.key_condition && split.key_condition;
            out.key_attributes.push_back(sk);
            out.consumed += std::max(split.exact, 1);
        }
        out.residual_terms = std::move(split.residual);
        rest = std::move(others);
    }
    // DynamoDB refuses the key attributes in the filter: the client evaluates those terms.
    for (const condition& t : rest) {
        const bool on_key = references(t, pk) || (c.key.sort && references(t, c.key.sort->name));
        (on_key ? out.residual_terms : out.filter_terms).push_back(t);
    }
    for (const condition& t : out.residual_terms) {
        std::string unevaluable;
        if (!detail::client_evaluable(t, &unevaluable)) {
            std::vector<std::string> names;
            collect_attributes(t, names);
            const auto key = std::find_if(names.begin(), names.end(), [&](const std::string& n) {
                return n == pk || (c.key.sort && n == c.key.sort->name);
            });
            out.rejection = "its key attribute " + *key +
                            " would be in the filter, which DynamoDB refuses in a Query, and the "
                            "client cannot evaluate " +
                            unevaluable;
            return {};
        }
    }
    out.usable = true;
    return {};
}

namespace {

// Projections: what the index carries against what the relation reads.

bool carries(const table_schema& schema, const index_schema& index, const std::string& name)
{
    const auto projected = schema.projected_attributes(index);
    return !projected || std::find(projected->begin(), projected->end(), name) != projected->end();
}

std::string projection_name(projection_type p)
{
    const std::string_view name = to_string(p);
    return name.empty() ? "an unknown projection" : std::string(name);
}

}  // namespace

std::string lacking(const table_schema& schema, const candidate& c, const relation_spec& spec,
                    const std::vector<condition>& filter_terms)
{
    if (!c.index || c.index->projection == projection_type::all) return {};
    const std::string projected = "projects " + projection_name(c.index->projection);
    if (spec.projection.empty() && !spec.count_only) {
        return projected + " and the relation reads all attributes (project() what it needs)";
    }
    std::vector<std::string> needed;
    for (const document_path& p : spec.projection) add_name(needed, p.attribute_name());
    for (const condition& t : filter_terms) collect_attributes(t, needed);
    for (const std::string& name : needed) {
        if (!carries(schema, *c.index, name)) {
            return projected + ", without attribute " + detail::quoted(name);
        }
    }
    return {};
}

std::vector<condition> read_terms(const analysis& a)
{
    std::vector<condition> out = a.filter_terms;
    out.insert(out.end(), a.residual_terms.begin(), a.residual_terms.end());
    return out;
}

bool is_global(const candidate& c) noexcept
{
    return c.index && c.index->type == index_schema::kind::global;
}

}  // namespace dynomite::detail
