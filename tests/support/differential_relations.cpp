// Random relations for the differential test: the steps, their meaning and their spelling.
#include "support/differential_cases.hpp"

#include <dynomite/expr/condition.hpp>

#include <algorithm>

namespace dynomite::test::differential {

namespace {

using namespace detail;
using oracle::compare_op;
using oracle::expr;

const std::vector<std::string> condition_paths = {
    "pk",   "sk",   "g1",    "g2",     "g3",     "l1",   "l2",   "s",      "n",
    "b",    "flag", "nul",   "m",      "l",      "ss",   "ns",   "bs",     "e",
    "gone", "m.f",  "m.h.k", "m.g[0]", "m.g[2]", "l[0]", "l[1]", "l[0].k", "m.h"};

bool orderable(const attribute_value& v)
{
    return v.is_s() || v.is_n() || v.type() == attribute_value::kind::b;
}

scalar_attribute_type random_scalar_type(random_engine& rng)
{
    const auto r = pick(rng, 3);
    return r == 0 ? scalar_attribute_type::s
                  : (r == 1 ? scalar_attribute_type::n : scalar_attribute_type::b);
}

/// A value for a condition on `path`: most often one some item has there, so that
/// conditions match; otherwise a scalar from the domains.
attribute_value sample_value(const std::vector<attribute_map>& items, const document_path& path,
                             random_engine& rng, bool must_order)
{
    if (!items.empty() && chance(rng, 0.75)) {
        for (int attempt = 0; attempt < 8; ++attempt) {
            const auto* v = oracle::resolve(pick_of(rng, items), path);
            if (v != nullptr && (!must_order || orderable(*v))) return *v;
        }
    }
    if (must_order) return random_scalar(rng, random_scalar_type(rng));
    return random_any_scalar(rng);
}

/// Two bounds of one type, in order (DynamoDB refuses others).
std::pair<attribute_value, attribute_value> ordered_bounds(attribute_value a, attribute_value b)
{
    if (a.type() != b.type()) b = a;
    const auto c = oracle::compare_scalars(a, b);
    if (c && *c > 0) std::swap(a, b);
    return {std::move(a), std::move(b)};
}

attribute_value size_value(random_engine& rng)
{
    return number(static_cast<std::int64_t>(pick(rng, 5)));
}

/// A leaf on `path`, of any operator; `invalid` asks for one DynamoDB refuses.
expr random_leaf(const std::vector<attribute_map>& items, const document_path& path,
                 random_engine& rng, bool invalid)
{
    if (invalid) {
        switch (pick(rng, 3)) {
            case 0:
                return oracle::make_compare(path, compare_op::lt, chance(rng, 0.5));
            case 1: {
                auto [low, high] = ordered_bounds(random_scalar(rng, scalar_attribute_type::n),
                                                  random_scalar(rng, scalar_attribute_type::n));
                if (oracle::compare_scalars(low, high) == 0) high = number("1E+120");
                return oracle::make_between(path, high, low);
            }
            default:
                return oracle::make_between(path, random_scalar(rng, scalar_attribute_type::s),
                                            random_scalar(rng, scalar_attribute_type::n));
        }
    }
    const auto r = pick(rng, 100);
    if (r < 40) {
        const auto op = static_cast<compare_op>(pick(rng, 6));
        const bool order = op != compare_op::eq && op != compare_op::ne;
        return oracle::make_compare(path, op, sample_value(items, path, rng, order));
    }
    if (r < 50) {
        auto [low, high] = ordered_bounds(sample_value(items, path, rng, true),
                                          sample_value(items, path, rng, true));
        return oracle::make_between(path, std::move(low), std::move(high));
    }
    if (r < 60) {
        std::vector<attribute_value> values;
        const auto n = 1 + pick(rng, 4);
        for (std::size_t i = 0; i < n; ++i) values.push_back(sample_value(items, path, rng, false));
        return oracle::make_in(path, std::move(values));
    }
    if (r < 67) {
        auto v = sample_value(items, path, rng, true);
        if (v.is_s())
            v = v.as_s().substr(0, pick(rng, v.as_s().size() + 1));
        else if (v.type() == attribute_value::kind::b)
            v = bytes(v.as_b().begin(), v.as_b().begin() + pick(rng, v.as_b().size() + 1));
        else
            v = random_scalar(
                rng, chance(rng, 0.5) ? scalar_attribute_type::s : scalar_attribute_type::b);
        return oracle::make_function(expr::kind::begins_with, path, std::move(v));
    }
    if (r < 74) {
        attribute_value v = sample_value(items, path, rng, false);
        if (const auto* ss = v.get_if<string_set>())
            v = ss->values.front();
        else if (const auto* ns = v.get_if<number_set>())
            v = ns->values.front();
        else if (const auto* bs = v.get_if<binary_set>())
            v = bs->values.front();
        else if (const auto* l = v.get_if<attribute_list>(); l && !l->empty())
            v = attribute_value(pick_of(rng, *l));  // a copy first: the element lives in v
        else if (v.is_s())
            v = v.as_s().substr(pick(rng, v.as_s().size() + 1));
        return oracle::make_function(expr::kind::contains, path, std::move(v));
    }
    if (r < 79) return oracle::make_function(expr::kind::exists, path);
    if (r < 84) return oracle::make_function(expr::kind::not_exists, path);
    if (r < 90) {
        const auto k = static_cast<attribute_value::kind>(pick(rng, 10));
        return oracle::make_type(path, k);
    }
    // size(path)
    const auto s = pick(rng, 8);
    if (s < 6) return oracle::make_compare(path, static_cast<compare_op>(s), size_value(rng), true);
    if (s == 6) {
        auto [low, high] = ordered_bounds(size_value(rng), size_value(rng));
        return oracle::make_between(path, std::move(low), std::move(high), true);
    }
    return oracle::make_in(path, {size_value(rng), size_value(rng)}, true);
}

bool has_field_key(const expr& e)
{
    if (e.of_size) return false;
    return e.k == expr::kind::compare || e.k == expr::kind::between || e.k == expr::kind::in ||
           e.k == expr::kind::begins_with;
}

bool has_method(const expr& e)
{
    if (e.of_size) return e.k != expr::kind::in || e.values.size() <= 2;
    return e.k == expr::kind::exists || e.k == expr::kind::not_exists || e.k == expr::kind::type ||
           e.k == expr::kind::begins_with || e.k == expr::kind::contains;
}

/// A step for `term`, spelled any way the API allows.
relation_step step_for(expr term, join how, random_engine& rng)
{
    relation_step step;
    step.how = how;
    const bool key = has_field_key(term);
    const bool method = how == join::and_ && has_method(term);
    const auto r = pick(rng, 10);
    if (key && r < 6) {
        step.spelling = relation_step::form::field_key;
        step.negated_key = how == join::and_ && chance(rng, 0.15);
    } else if (method && r < 8) {
        step.spelling = relation_step::form::method;
    } else {
        step.spelling = relation_step::form::condition;
    }
    step.term = std::move(term);
    return step;
}

std::string op_suffix(const expr& e)
{
    switch (e.k) {
        case expr::kind::between:
            return "between";
        case expr::kind::in:
            return "in";
        case expr::kind::begins_with:
            return "begins_with";
        default:
            break;
    }
    static const char* names[] = {"eq", "ne", "lt", "lte", "gt", "gte"};
    return names[static_cast<int>(e.op)];
}

std::string field_key(const relation_step& step)
{
    return step.term.path.to_string() + "." + (step.negated_key ? "not_" : "") +
           op_suffix(step.term);
}

std::string values_text(const std::vector<attribute_value>& values)
{
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i)
        out += (i > 0 ? ", " : "") + oracle::describe(values[i]);
    return out + "}";
}

}  // namespace

condition to_library_condition(const expr& e)
{
    auto subject = [&] { return e.of_size ? size_of(e.path) : operand::of_path(e.path); };
    switch (e.k) {
        case expr::kind::compare: {
            static constexpr condition_op ops[] = {condition_op::eq, condition_op::ne,
                                                   condition_op::lt, condition_op::le,
                                                   condition_op::gt, condition_op::ge};
            return compare(subject(), ops[static_cast<int>(e.op)], operand::of_value(e.values[0]));
        }
        case expr::kind::between:
            return between(subject(), e.values[0], e.values[1]);
        case expr::kind::in:
            return in(subject(), e.values);
        case expr::kind::begins_with:
            return begins_with(e.path, e.values[0]);
        case expr::kind::contains:
            return contains(e.path, e.values[0]);
        case expr::kind::exists:
            return attribute_exists(e.path);
        case expr::kind::not_exists:
            return attribute_not_exists(e.path);
        case expr::kind::type:
            return attribute_type(e.path, e.type_name);
        case expr::kind::and_:
        case expr::kind::or_: {
            condition out;
            for (const auto& c : e.children) {
                out = e.k == expr::kind::and_ ? (out && to_library_condition(c))
                                              : (out || to_library_condition(c));
            }
            return out;
        }
        case expr::kind::not_:
            return !to_library_condition(e.children[0]);
    }
    return {};
}

// As docs/querying.md says: or_() starts an alternative that the conditions after it, up to
// the next or_(), join, so where(a).or_(b).where(c) is a OR (b AND c).
std::optional<expr> relation_case::condition() const
{
    std::vector<std::vector<expr>> alternatives;
    for (const auto& step : steps) {
        expr term = step.negated_key ? oracle::make_not(step.term) : step.term;
        if (step.how == join::and_not) term = oracle::make_not(std::move(term));
        if (alternatives.empty() || step.how == join::or_) alternatives.emplace_back();
        alternatives.back().push_back(std::move(term));
    }
    if (alternatives.empty()) return std::nullopt;
    std::vector<expr> branches;
    for (auto& terms : alternatives) {
        branches.push_back(terms.size() == 1 ? std::move(terms[0])
                                             : oracle::make_and(std::move(terms)));
    }
    return branches.size() == 1 ? std::move(branches[0]) : oracle::make_or(std::move(branches));
}

std::string relation_case::describe() const
{
    std::string out = "table";
    for (const auto& step : steps) {
        const char* call =
            step.how == join::and_ ? ".where(" : (step.how == join::or_ ? ".or_(" : ".not_(");
        const auto& t = step.term;
        switch (step.spelling) {
            case relation_step::form::field_key:
                out += call + ("\"" + field_key(step) + "\", " + values_text(t.values) + ")");
                break;
            case relation_step::form::method:
                if (t.of_size) {
                    out += ".size_fn(\"" + t.path.to_string() + "." + op_suffix(t) + "\", " +
                           values_text(t.values) + ")";
                } else {
                    out += ".function(" + oracle::describe(t) + ")";
                }
                break;
            case relation_step::form::condition:
                out += call + ("condition{" + oracle::describe(t) + "})");
                break;
        }
    }
    return out;
}

relation relation_case::apply(relation r) const
{
    for (const auto& step : steps) {
        const auto& t = step.term;
        const bool one = t.values.size() == 1;
        // The key form reads one list value of "in" as the values themselves
        // (docs/querying.md), so IN of a single list is written as a condition.
        const bool list_as_values = step.spelling == relation_step::form::field_key && one &&
                                    t.k == expr::kind::in &&
                                    t.values[0].type() == attribute_value::kind::l;
        if (step.spelling == relation_step::form::field_key && !list_as_values) {
            const auto key = field_key(step);
            switch (step.how) {
                case join::and_:
                    r = one ? r.where(key, t.values[0]) : r.where(key, t.values);
                    break;
                case join::or_:
                    r = one ? r.or_(key, t.values[0]) : r.or_(key, t.values);
                    break;
                case join::and_not:
                    r = one ? r.not_(key, t.values[0]) : r.not_(key, t.values);
                    break;
            }
        } else if (step.spelling == relation_step::form::method) {
            if (t.of_size) {
                const auto key = t.path.to_string() + "." + op_suffix(t);
                r = t.values.size() == 1 ? r.size_fn(key, t.values[0])
                                         : r.size_fn(key, {t.values[0], t.values[1]});
            } else if (t.k == expr::kind::exists) {
                r = r.attribute_exists(t.path);
            } else if (t.k == expr::kind::not_exists) {
                r = r.attribute_not_exists(t.path);
            } else if (t.k == expr::kind::type) {
                r = r.attribute_type(t.path, t.type_name);
            } else if (t.k == expr::kind::begins_with) {
                r = r.begins_with(t.path, t.values[0]);
            } else {
                r = r.contains(t.path, t.values[0]);
            }
        } else {
            const auto c = step.negated_key && list_as_values ? !to_library_condition(t)
                                                             : to_library_condition(t);
            switch (step.how) {
                case join::and_:
                    r = r.where(c);
                    break;
                case join::or_:
                    r = r.or_(c);
                    break;
                case join::and_not:
                    r = r.not_(c);
                    break;
            }
        }
    }
    return r;
}

relation_case random_case(const table_shape& shape, const std::vector<attribute_map>& items,
                          random_engine& rng)
{
    relation_case out;
    out.limit = 1 + static_cast<std::int64_t>(pick(rng, 8));
    out.meant_invalid = chance(rng, 0.02);
    auto random_path = [&] { return document_path(pick_of(rng, condition_paths)); };
    auto random_term = [&](bool invalid) {
        if (chance(rng, 0.8)) return random_leaf(items, random_path(), rng, invalid);
        std::vector<expr> children;
        const auto n = 2 + pick(rng, 2);
        for (std::size_t i = 0; i < n; ++i)
            children.push_back(random_leaf(items, random_path(), rng, false));
        const auto r = pick(rng, 3);
        if (r == 0) return oracle::make_and(std::move(children));
        if (r == 1) return oracle::make_or(std::move(children));
        return oracle::make_not(oracle::make_or(std::move(children)));
    };
    auto random_join = [&] {
        const auto r = pick(rng, 10);
        return r < 7 ? join::and_ : (r < 9 ? join::or_ : join::and_not);
    };
    if (chance(rng, 0.7)) {
        // A key of the table or of an index: equality on its partition key, often a condition
        // on its sort key, values taken from the items so that the partition is not empty.
        std::vector<std::pair<key_attribute, std::optional<key_attribute>>> keys = {
            {shape.hash, shape.range}};
        for (const auto& index : shape.indexes) keys.emplace_back(index.hash, index.range);
        const auto& [hash, range] = pick_of(rng, keys);
        const document_path hash_path(hash.name);
        attribute_value hash_value =
            chance(rng, 0.05) ? random_any_scalar(rng) : sample_value(items, hash_path, rng, true);
        std::vector<attribute_map> partition;
        for (const auto& item : items) {
            const auto* v = item.find(hash.name);
            if (v != nullptr && oracle::values_equal(*v, hash_value)) partition.push_back(item);
        }
        out.steps.push_back(
            step_for(oracle::make_compare(hash_path, compare_op::eq, hash_value), join::and_, rng));
        if (range && chance(rng, 0.75)) {
            const document_path range_path(range->name);
            const auto& source = partition.empty() ? items : partition;
            expr sort;
            const auto r = pick(rng, 10);
            if (r < 7) {
                // What a key condition takes: =, <, <=, >, >=, BETWEEN, begins_with.
                const auto k = pick(rng, 7);
                if (k < 5) {
                    static constexpr compare_op ops[] = {compare_op::eq, compare_op::lt,
                                                         compare_op::le, compare_op::gt,
                                                         compare_op::ge};
                    sort = oracle::make_compare(range_path, ops[k],
                                                sample_value(source, range_path, rng, true));
                } else if (k == 5) {
                    auto [low, high] = ordered_bounds(sample_value(source, range_path, rng, true),
                                                      sample_value(source, range_path, rng, true));
                    sort = oracle::make_between(range_path, std::move(low), std::move(high));
                } else {
                    sort = random_leaf(source, range_path, rng, false);
                }
            } else {
                // What it does not: <>, IN, or any other leaf.
                sort = r == 7 ? oracle::make_compare(range_path, compare_op::ne,
                                                     sample_value(source, range_path, rng, true))
                              : random_leaf(source, range_path, rng, false);
            }
            out.steps.push_back(step_for(std::move(sort), join::and_, rng));
            if (chance(rng, 0.15)) {
                // A second bound: >= and <= merge into BETWEEN.
                const bool lower = chance(rng, 0.5);
                out.steps.push_back(step_for(
                    oracle::make_compare(range_path, lower ? compare_op::ge : compare_op::le,
                                         sample_value(source, range_path, rng, true)),
                    join::and_, rng));
            }
        }
        const auto extra = pick(rng, 3);
        for (std::size_t i = 0; i < extra; ++i) {
            const bool invalid = out.meant_invalid && i == 0;
            out.steps.push_back(
                step_for(random_term(invalid), chance(rng, 0.8) ? join::and_ : random_join(), rng));
        }
        if (out.meant_invalid && extra == 0)
            out.steps.push_back(step_for(random_term(true), join::and_, rng));
    } else {
        const auto n = pick(rng, 4);
        for (std::size_t i = 0; i < n; ++i)
            out.steps.push_back(step_for(random_term(out.meant_invalid && i == 0),
                                         i == 0 ? join::and_ : random_join(), rng));
        if (out.meant_invalid && n == 0)
            out.steps.push_back(step_for(random_term(true), join::and_, rng));
    }
    return out;
}

}  // namespace dynomite::test::differential
