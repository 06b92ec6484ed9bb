// A randomized differential test of relations: random tables (sparse global and local indexes
// of every projection, keys of type S, N and B), random items, random conditions biased towards
// index keys; each relation's all(), count(), ids(), first() and limit(n) (its all(), count()
// and ids()) are compared with a consistent Scan of the whole table filtered by the test's own
// condition evaluator (support/condition_oracle.hpp), which is itself checked against
// DynamoDB's FilterExpression on a share of the cases.
//
// DYNOMITE_DIFF_SEED: the seed (default: from the clock, printed); DYNOMITE_DIFF_CASES: how
// many cases (default 2000); DYNOMITE_DIFF_CASE: run only this case of the seed.
#include "integration/integration_fixture.hpp"
#include "support/condition_oracle.hpp"
#include "support/differential_cases.hpp"

#include <dynomite/query/database.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace dynomite::test {
namespace {

namespace oracle = test::oracle;
namespace diff = test::differential;

constexpr std::size_t cases_per_table = 150;
/// A third of the cases also check the oracle against DynamoDB's own FilterExpression.
constexpr std::size_t filter_check_every = 3;
/// Failures shown in full; the others are counted by class.
constexpr std::size_t failures_shown = 25;
/// Cases in flight at once against DynamoDB.
constexpr int concurrent_cases = 8;

std::optional<std::uint64_t> env_number(const char* name)
{
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return std::nullopt;
    return std::strtoull(text, nullptr, 10);
}

/// The engine of table or case `index` of a run: each is reproducible alone.
diff::random_engine engine_for(std::uint64_t seed, std::size_t index, std::uint32_t purpose)
{
    std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                      static_cast<std::uint32_t>(index), purpose};
    return diff::random_engine(seq);
}

struct failure {
    std::string kind;
    std::size_t case_index = 0;
    std::string detail;
};

class QueryDifferential : public integration_test {
protected:
    QueryDifferential() : store(db, quiet_options()) {}

    static database_options quiet_options()
    {
        database_options options;
        options.scan_policy = scan_policy::allow;
        options.logger = [](log_level, std::string_view) {};
        return options;
    }

    struct table_under_test {
        std::string name;
        diff::table_shape shape;
        std::vector<attribute_map> items;  // as a consistent Scan read them
    };

    table_under_test make_table(std::size_t table_index)
    {
        auto rng = engine_for(seed, table_index, 1);
        table_under_test t;
        t.shape = diff::random_table_shape(rng);
        t.name = unique_table_name("diff");
        track_table(t.name);
        run(db.create_table(diff::table_request(t.shape, t.name)));
        run(wait_until_active(t.name));
        write_all(t.name, diff::random_items(t.shape, 60 + diff::detail::pick(rng, 91), rng));
        t.items = run(scan_all(t.name, nullptr)).second;
        return t;
    }

    /// A consistent Scan of the whole table, with `filter` when given; the error DynamoDB
    /// answers instead, if any.
    asio::awaitable<std::pair<error_code, std::vector<attribute_map>>> scan_all(
        std::string table, const oracle::filter_expression* filter, std::string* message = nullptr)
    {
        std::vector<attribute_map> items;
        scan_request request;
        request.table_name = table;
        request.consistent_read = true;
        if (filter != nullptr) {
            request.filter_expression = filter->text;
            request.expression_attribute_names = filter->names;
            request.expression_attribute_values = filter->values;
        }
        for (;;) {
            diagnostics diag;
            scan_request page_request = request;
            auto [ec, page] = co_await db.async_execute(std::move(page_request), diag,
                                                        asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (message) *message = diag.to_string();
                co_return std::pair<error_code, std::vector<attribute_map>>{ec, {}};
            }
            for (auto& item : page.items) items.push_back(std::move(item));
            if (!page.last_evaluated_key) break;
            request.exclusive_start_key = std::move(page.last_evaluated_key);
        }
        co_return std::pair<error_code, std::vector<attribute_map>>{{}, std::move(items)};
    }

    std::string key_text(const table_under_test& t, const attribute_map& item) const
    {
        auto part = [&](const std::string& name) {
            const auto* v = item.find(name);
            return v == nullptr ? std::string("<none>") : oracle::describe(*v);
        };
        return part(t.shape.hash.name) + (t.shape.range ? "|" + part(t.shape.range->name) : "");
    }

    asio::awaitable<void> run_case(const table_under_test& t, std::size_t case_index);

    /// Runs the cases a few at a time; each case's requests stay in order.
    void run_cases(const table_under_test& t, const std::vector<std::size_t>& indexes)
    {
        std::size_t next = 0;
        int running = concurrent_cases;
        std::exception_ptr failure;
        for (int worker = 0; worker < concurrent_cases; ++worker) {
            asio::co_spawn(io, case_worker(t, indexes, next), [&](std::exception_ptr e) {
                if (e && !failure) failure = e;
                --running;
            });
        }
        while (running > 0) {
            if (io.stopped()) io.restart();
            io.run_one_for(std::chrono::milliseconds(100));
        }
        if (failure) std::rethrow_exception(failure);
    }

    asio::awaitable<void> case_worker(const table_under_test& t,
                                      const std::vector<std::size_t>& indexes, std::size_t& next)
    {
        while (next < indexes.size()) {
            const auto i = indexes[next++];
            co_await run_case(t, i);
        }
    }

    std::uint64_t seed = 0;
    database store;
    std::vector<failure> failures;
    std::size_t refusals_by_library = 0;
    std::size_t builder_refusals = 0;
    // Refusals of a value whose type no item's table key can have; right only when nothing
    // matches.
    std::size_t table_key_type_refusals = 0;
    std::size_t filter_checks = 0;
    std::map<std::string, std::size_t> plans_seen;
};

/// What a case checks, with what it needs to report.
struct case_context {
    const QueryDifferential* test;
    std::size_t case_index;
    std::vector<failure>* failures;
    std::string header;
    std::string plan_tag = "no plan";

    void fail(const std::string& kind, const std::string& detail) const
    {
        failures->push_back({kind + " [" + plan_tag + "]", case_index, header + "\n  " + detail});
    }
};

std::string keys_list(const std::set<std::string>& keys)
{
    std::string out;
    std::size_t shown = 0;
    for (const auto& k : keys) {
        if (shown++ == 8) return out + ", ...";
        out += (out.empty() ? "" : ", ") + k;
    }
    return out;
}

asio::awaitable<void> QueryDifferential::run_case(const table_under_test& t, std::size_t case_index)
{
    auto rng = engine_for(seed, case_index, 2);
    const auto c = diff::random_case(t.shape, t.items, rng);
    const auto condition = c.condition();

    std::vector<const attribute_map*> expected;
    std::set<std::string> expected_keys;
    std::map<std::string, const attribute_map*> by_key;
    for (const auto& item : t.items) {
        by_key[key_text(t, item)] = &item;
        if (!condition || oracle::evaluate(*condition, item)) {
            expected.push_back(&item);
            expected_keys.insert(key_text(t, item));
        }
    }

    case_context ctx{this, case_index, &failures, {}};
    {
        std::ostringstream header;
        header << "case " << case_index << " of seed " << seed
               << "\n  table: " << t.shape.describe() << "\n  relation: " << c.describe()
               << ".limit(" << c.limit << ")"
               << "\n  condition: " << (condition ? oracle::describe(*condition) : "none")
               << "\n  expected " << expected.size() << " of " << t.items.size() << " items"
               << "\n  reproduce: DYNOMITE_DIFF_SEED=" << seed
               << " DYNOMITE_DIFF_CASE=" << case_index
               << " DYNOMITE_ENDPOINT=" << integration_endpoint()
               << " build/tests/integration_differential";
        ctx.header = header.str();
    }

    // Is the request one DynamoDB refuses whatever the plan? A Scan filtered by the condition
    // is the most permissive plan, so its answer decides.
    std::optional<bool> dynamodb_refuses;
    std::string dynamodb_message;
    auto check_filter = [&]() -> asio::awaitable<void> {
        if (dynamodb_refuses || !condition) co_return;
        const auto filter = oracle::render_filter(*condition);
        auto [ec, filtered] = co_await scan_all(t.name, &filter, &dynamodb_message);
        dynamodb_refuses = static_cast<bool>(ec);
        if (ec) co_return;
        ++filter_checks;
        std::set<std::string> got;
        for (const auto& item : filtered) got.insert(key_text(t, item));
        if (got != expected_keys) {
            std::set<std::string> missing, extra;
            std::set_difference(got.begin(), got.end(), expected_keys.begin(), expected_keys.end(),
                                std::inserter(missing, missing.end()));
            std::set_difference(expected_keys.begin(), expected_keys.end(), got.begin(), got.end(),
                                std::inserter(extra, extra.end()));
            ctx.fail("the oracle disagrees with DynamoDB's FilterExpression",
                     "FilterExpression " + filter.text + " matches " + std::to_string(got.size()) +
                         "; only DynamoDB: " + keys_list(missing) +
                         "; only the oracle: " + keys_list(extra));
        }
    };
    if (c.meant_invalid || case_index % filter_check_every == 0) co_await check_filter();

    // A refusal is right only when DynamoDB refuses the condition as a Scan's filter too.
    auto refused = [&](const std::string& what, error_code ec, const std::string& message,
                       std::size_t& counter) -> asio::awaitable<void> {
        co_await check_filter();
        if (dynamodb_refuses && *dynamodb_refuses) {
            ++counter;
            co_return;
        }
        const bool table_key_type = ec == errc::invalid_argument &&
                                    message.find("of table ") != std::string::npos &&
                                    message.find(" is of type ") != std::string::npos;
        if (table_key_type && expected_keys.empty()) {
            ++table_key_type_refusals;
            co_return;
        }
        std::string kind = ec == errc::invalid_argument ? "refused a valid relation" : "failed";
        if (table_key_type) kind += " that matches items";
        if (message.find("is of type") != std::string::npos) {
            // "... is of type S, but its = condition has a value of type N": class by operator.
            const auto op = message.find("but its ");
            const auto end = message.find(" condition", op);
            const auto which = op == std::string::npos || end == std::string::npos
                                   ? std::string()
                                   : " in a " + message.substr(op + 8, end - op - 8) + " condition";
            kind += " (a value's type differs from a key attribute's" + which + ")";
        }
        ctx.fail(kind, what + ": " + ec.message() + ": " + message);
    };

    relation r = store.table(t.name);
    std::optional<dynomite::error> builder_error;
    try {
        r = c.apply(r);
    } catch (const dynomite::error& e) {
        builder_error = e;
    }
    if (builder_error) {
        co_await refused("a builder", builder_error->code(), builder_error->what(),
                         builder_refusals);
        co_return;
    }

    diagnostics diag;
    auto [plan_ec, plan] = co_await r.explain(diag);
    if (plan_ec) {
        co_await refused("explain()", plan_ec, diag.message, refusals_by_library);
        co_return;
    }
    std::optional<std::string> sort_key;  // of what the Query reads
    if (plan.op == query_plan::operation::query) {
        const diff::index_shape* index = nullptr;
        for (const auto& i : t.shape.indexes)
            if (i.name == plan.index_name) index = &i;
        if (index == nullptr) {
            ctx.plan_tag = "Query on the table";
            if (t.shape.range) sort_key = t.shape.range->name;
        } else {
            static const char* projections[] = {"ALL", "KEYS_ONLY", "INCLUDE", "?"};
            ctx.plan_tag = std::string("Query on ") + (index->global ? "global" : "local") +
                           " index, " + projections[static_cast<int>(index->projection)];
            if (index->range) sort_key = index->range->name;
        }
    } else {
        ctx.plan_tag = "Scan";
    }
    ++plans_seen[ctx.plan_tag];
    // count() and ids() read less than all(), so their plans may differ.
    ctx.plan_tag = "all() plans a " + ctx.plan_tag;
    ctx.header += "\n  plan of all(): " + plan.to_string();

    auto sort_value = [&](const attribute_map& item) { return item.find(*sort_key); };
    auto sort_less = [&](const attribute_map* a, const attribute_map* b) {
        const auto* x = sort_value(*a);
        const auto* y = sort_value(*b);
        if (x == nullptr || y == nullptr) return y != nullptr;
        return oracle::compare_scalars(*x, *y).value_or(0) < 0;
    };

    // Checks a list of items read: no duplicates, each expected and equal to the table's.
    auto check_items = [&](const std::string& what, const std::vector<attribute_map>& got,
                           bool whole) {
        std::set<std::string> keys;
        std::set<std::string> duplicates, extra, differing;
        for (const auto& item : got) {
            const auto key = key_text(t, item);
            if (!keys.insert(key).second) duplicates.insert(key);
            if (!expected_keys.contains(key)) {
                extra.insert(key);
            } else if (!oracle::values_equal(attribute_value(item),
                                             attribute_value(*by_key[key]))) {
                differing.insert(key);
            }
        }
        std::set<std::string> missing;
        if (whole) {
            std::set_difference(expected_keys.begin(), expected_keys.end(), keys.begin(),
                                keys.end(), std::inserter(missing, missing.end()));
        }
        if (!missing.empty())
            ctx.fail(what + " misses matching items",
                     std::to_string(got.size()) + " items; missing " + keys_list(missing));
        if (!extra.empty())
            ctx.fail(what + " returns items that do not match", "extra " + keys_list(extra));
        if (!duplicates.empty())
            ctx.fail(what + " returns an item twice", "duplicates " + keys_list(duplicates));
        if (!differing.empty())
            ctx.fail(what + " returns items that differ from the table's",
                     "differing " + keys_list(differing));
    };

    // all()
    {
        auto [ec, items] = co_await r.all(diag);
        if (ec) {
            co_await refused("all()", ec, diag.message, refusals_by_library);
            co_return;
        }
        check_items("all()", items, true);
        if (sort_key) {
            for (std::size_t i = 1; i < items.size(); ++i) {
                if (sort_less(&items[i], &items[i - 1])) {
                    ctx.fail("all() is not in sort-key order",
                             "item " + std::to_string(i) + " " + key_text(t, items[i]) +
                                 " sorts before " + key_text(t, items[i - 1]));
                    break;
                }
            }
        }
    }
    // A Query reversed: the same items, in descending sort-key order.
    if (sort_key) {
        auto [ec, items] = co_await r.scan_index_backward().all(diag);
        if (ec) {
            ctx.fail("scan_index_backward().all() failed", ec.message() + ": " + diag.message);
        } else {
            check_items("scan_index_backward().all()", items, true);
            for (std::size_t i = 1; i < items.size(); ++i) {
                if (sort_less(&items[i - 1], &items[i])) {
                    ctx.fail("scan_index_backward().all() is not in descending sort-key order",
                             "item " + std::to_string(i) + " " + key_text(t, items[i]) +
                                 " sorts after " + key_text(t, items[i - 1]));
                    break;
                }
            }
        }
    }
    // project(): the key and some attributes, which may let a narrower index serve.
    {
        std::vector<std::string> names = {t.shape.hash.name};
        if (t.shape.range) names.push_back(t.shape.range->name);
        for (const auto& k : t.shape.declared)
            if (diff::detail::chance(rng, 0.5) &&
                std::find(names.begin(), names.end(), k.name) == names.end())
                names.push_back(k.name);
        for (const char* name : {"s", "n", "m", "l", "ss", "flag"})
            if (diff::detail::chance(rng, 0.2)) names.push_back(name);
        std::vector<document_path> paths;
        std::string listed;
        for (const auto& name : names) {
            paths.push_back(document_path::attribute(name));
            listed += (listed.empty() ? "" : ", ") + name;
        }
        auto [ec, items] = co_await r.project(paths).all(diag);
        if (ec) {
            ctx.fail("project(...).all() failed",
                     "project(" + listed + "): " + ec.message() + ": " + diag.message);
        } else {
            std::set<std::string> keys, wrong;
            for (const auto& item : items) {
                const auto key = key_text(t, item);
                keys.insert(key);
                const auto found = by_key.find(key);
                if (found == by_key.end()) continue;
                attribute_map projected;
                for (const auto& name : names)
                    if (const auto* v = found->second->find(name)) projected.set(name, *v);
                if (!oracle::values_equal(attribute_value(item), attribute_value(projected)))
                    wrong.insert(key);
            }
            if (keys != expected_keys || items.size() != keys.size())
                ctx.fail("project(...).all() has the wrong items",
                         "project(" + listed + "): " + std::to_string(items.size()) +
                             " items, expected " + std::to_string(expected.size()));
            if (!wrong.empty())
                ctx.fail("project(...).all() has the wrong attributes",
                         "project(" + listed + "): " + keys_list(wrong));
        }
    }
    // count()
    {
        auto [ec, n] = co_await r.count(diag);
        if (ec) {
            ctx.fail("count() failed", ec.message() + ": " + diag.message);
        } else if (n != static_cast<std::int64_t>(expected.size())) {
            ctx.fail("count() is wrong", "count() " + std::to_string(n) + ", expected " +
                                             std::to_string(expected.size()));
        }
    }
    // ids()
    try {
        const auto ids = co_await r.ids();
        std::set<std::string> keys;
        for (const auto& id : ids) {
            keys.insert(key_text(t, id));
            if (id.size() != (t.shape.range ? 2u : 1u))
                ctx.fail("ids() returns more than the key", oracle::describe(attribute_value(id)));
        }
        if (keys != expected_keys || ids.size() != keys.size()) {
            std::set<std::string> missing, extra;
            std::set_difference(expected_keys.begin(), expected_keys.end(), keys.begin(),
                                keys.end(), std::inserter(missing, missing.end()));
            std::set_difference(keys.begin(), keys.end(), expected_keys.begin(),
                                expected_keys.end(), std::inserter(extra, extra.end()));
            ctx.fail("ids() is wrong", std::to_string(ids.size()) + " ids; missing " +
                                           keys_list(missing) + "; extra " + keys_list(extra));
        }
    } catch (const dynomite::error& e) {
        ctx.fail("ids() failed", e.what());
    }
    // first()
    {
        auto [ec, item] = co_await r.first(diag);
        if (ec) {
            ctx.fail("first() failed", ec.message() + ": " + diag.message);
        } else if (!item) {
            if (!expected.empty())
                ctx.fail("first() finds nothing", "expected one of " + keys_list(expected_keys));
        } else {
            check_items("first()", {*item}, false);
            if (sort_key && !expected.empty()) {
                const auto lowest = *std::min_element(expected.begin(), expected.end(), sort_less);
                if (sort_less(lowest, &*item))
                    ctx.fail("first() is not the lowest sort key",
                             key_text(t, *item) + " instead of " + key_text(t, *lowest));
            }
        }
    }
    // limit(n).all() and limit(n).count()
    {
        const auto limited = r.limit(c.limit);
        const auto want = std::min<std::size_t>(static_cast<std::size_t>(c.limit), expected.size());
        auto [ec, items] = co_await limited.all(diag);
        if (ec) {
            ctx.fail("limit(n).all() failed", ec.message() + ": " + diag.message);
        } else {
            if (items.size() != want)
                ctx.fail("limit(n).all() has the wrong size",
                         std::to_string(items.size()) + " items, expected " + std::to_string(want));
            check_items("limit(n).all()", items, false);
            if (sort_key) {
                std::vector<const attribute_map*> sorted = expected;
                std::stable_sort(sorted.begin(), sorted.end(), sort_less);
                for (std::size_t i = 0; i < items.size() && i < sorted.size(); ++i) {
                    if (sort_less(&items[i], sorted[i]) || sort_less(sorted[i], &items[i])) {
                        ctx.fail("limit(n).all() is not the lowest sort keys",
                                 "item " + std::to_string(i) + " is " + key_text(t, items[i]) +
                                     ", expected the sort key of " + key_text(t, *sorted[i]));
                        break;
                    }
                }
            }
        }
        auto [count_ec, n] = co_await limited.count(diag);
        if (count_ec) {
            ctx.fail("limit(n).count() failed", count_ec.message() + ": " + diag.message);
        } else if (n != static_cast<std::int64_t>(want)) {
            ctx.fail("limit(n).count() is wrong",
                     std::to_string(n) + ", expected " + std::to_string(want));
        }
        // limit(n).ids(): the keys of the items limit(n).all() returned, in their order.
        if (!ec) {
            std::string listed_all, listed_ids;
            for (const auto& item : items) listed_all += key_text(t, item) + " ";
            try {
                for (const auto& id : co_await limited.ids()) listed_ids += key_text(t, id) + " ";
                if (listed_ids != listed_all)
                    ctx.fail("limit(n).ids() are not the keys of limit(n).all()",
                             "ids " + listed_ids + "; all() " + listed_all);
            } catch (const dynomite::error& e) {
                ctx.fail("limit(n).ids() failed", e.what());
            }
        }
    }
}

TEST_F(QueryDifferential, relations_match_a_consistent_scan_filtered_by_the_oracle)
{
    const auto clock_seed =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    seed = env_number("DYNOMITE_DIFF_SEED").value_or(clock_seed % 1000000007u);
    const auto cases = env_number("DYNOMITE_DIFF_CASES").value_or(2000);
    const auto only = env_number("DYNOMITE_DIFF_CASE");
    std::cout << "DYNOMITE_DIFF_SEED=" << seed << " DYNOMITE_DIFF_CASES=" << cases << std::endl;
    RecordProperty("seed", std::to_string(seed));

    const std::size_t tables = (cases + cases_per_table - 1) / cases_per_table;
    std::size_t cases_run = 0;
    for (std::size_t table_index = 0; table_index < tables; ++table_index) {
        const std::size_t first = table_index * cases_per_table;
        const std::size_t last = std::min<std::size_t>(cases, first + cases_per_table);
        if (only && (*only < first || *only >= last)) continue;
        const auto t = make_table(table_index);
        std::vector<std::size_t> indexes;
        for (std::size_t i = first; i < last; ++i)
            if (!only || i == *only) indexes.push_back(i);
        run_cases(t, indexes);
        cases_run += indexes.size();
    }

    std::map<std::string, std::pair<std::size_t, std::size_t>> by_kind;  // count, first case
    for (const auto& f : failures) {
        auto [it, added] = by_kind.try_emplace(f.kind, 0, f.case_index);
        ++it->second.first;
    }
    std::cout << cases_run << " cases, seed " << seed << "; " << filter_checks
              << " checked against DynamoDB's FilterExpression; refused, as DynamoDB refuses "
                 "them too: "
              << builder_refusals << " by builders, " << refusals_by_library
              << " by the library when run; " << table_key_type_refusals
              << " refused for comparing the table's key with a value of another type, where no "
                 "item matches\nplans:";
    for (const auto& [tag, n] : plans_seen) std::cout << " " << tag << " " << n << ";";
    std::cout << "\n" << failures.size() << " mismatches\n";
    for (const auto& [kind, counts] : by_kind)
        std::cout << "  " << counts.first << " x " << kind << " (first: case " << counts.second
                  << ")\n";
    // The first of each class, then others up to failures_shown.
    std::set<std::string> kinds_shown;
    std::size_t shown = 0;
    for (const auto& f : failures) {
        if (!kinds_shown.insert(f.kind).second) continue;
        ADD_FAILURE() << f.kind << "\n  " << f.detail;
        ++shown;
    }
    for (std::size_t i = 0; i < failures.size() && shown < failures_shown; ++i) {
        if (by_kind[failures[i].kind].second == failures[i].case_index) continue;
        ADD_FAILURE() << failures[i].kind << "\n  " << failures[i].detail;
        ++shown;
    }
    EXPECT_EQ(failures.size(), 0u) << "seed " << seed << ": see the classes above";
}

}  // namespace
}  // namespace dynomite::test
