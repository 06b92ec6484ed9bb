// The checkpoint stores provided: in memory, and in a DynamoDB table.
#include "core/async.hpp"
#include "core/or_throw.hpp"
#include "query/stream_shards.hpp"

#include <dynomite/query/memory_checkpoint_store.hpp>
#include <dynomite/query/table_checkpoint_store.hpp>

#include <algorithm>

namespace dynomite {
namespace {

constexpr std::size_t checkpoint_position_digits = 40;

/// A sequence number zero-padded to 40 digits, so that strings compare as the numbers do;
/// empty when it is not a decimal number of at most 40 digits.
std::string checkpoint_position(std::string_view sequence)
{
    if (sequence.empty() || sequence.size() > checkpoint_position_digits ||
        !std::all_of(sequence.begin(), sequence.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
        return {};
    }
    return std::string(checkpoint_position_digits - sequence.size(), '0') + std::string(sequence);
}

/// Every item of `feed` in the checkpoint table, read consistently, page after page.
boost::asio::awaitable<error_code> feed_items(client& cl, const std::string& table,
                                              const std::string& feed,
                                              std::vector<attribute_map>& items,
                                              diagnostics& diag)
{
    query_request request{.table_name = table,
                          .key_condition_expression = "#feed = :feed",
                          .expression_attribute_names = {{"#feed", "feed"}},
                          .expression_attribute_values = {{":feed", feed}},
                          .consistent_read = true};
    for (;;) {
        auto [ec, page] = co_await cl.async_query(request, diag, detail::use_tuple);
        if (ec) co_return ec;
        for (attribute_map& item : page.items) items.push_back(std::move(item));
        if (!page.last_evaluated_key) co_return error_code{};
        request.exclusive_start_key = std::move(page.last_evaluated_key);
    }
}

/// Appends the checkpoint `item` holds to `out`; false for an item that is not one. A lease of
/// a shard without a checkpoint yet is passed over.
bool read_checkpoint(const attribute_map& item, std::vector<shard_checkpoint>& out)
{
    const attribute_value* shard = item.find("shard");
    const attribute_value* sequence = item.find("sequence_number");
    if (shard && shard->is_s() && !sequence) return true;
    if (!shard || !shard->is_s() || !sequence || !sequence->is_s()) return false;
    out.push_back({shard->as_s(), sequence->as_s()});
    return true;
}

/// Appends the lease `item` holds to `out`; false for an item that is not one.
bool read_lease(const attribute_map& item, std::vector<shard_lease>& out)
{
    const attribute_value* shard = item.find("shard");
    const attribute_value* owner = item.find("owner");
    const attribute_value* counter = item.find("lease_counter");
    const attribute_value* finished = item.find("finished");
    const attribute_value* sequence = item.find("sequence_number");
    const attribute_value* passed_over = item.find("passed_over");
    shard_lease lease;
    const bool valid =
        shard && shard->is_s() && (!owner || owner->is_s()) &&
        (!counter || (counter->is_n() && !counter->as_n().to_int64(lease.counter))) &&
        (!finished || finished->type() == attribute_value::kind::boolean) &&
        (!passed_over || passed_over->type() == attribute_value::kind::boolean) &&
        (!sequence || sequence->is_s());
    if (!valid) return false;
    lease.shard_id = shard->as_s();
    if (owner) lease.owner = owner->as_s();
    lease.finished = finished && finished->as_bool();
    lease.passed_over = passed_over && passed_over->as_bool();
    if (sequence) lease.sequence_number = sequence->as_s();
    out.push_back(std::move(lease));
    return true;
}

/// Reads every item of `feed` into `out` through `read`; an item `read` refuses fails the load
/// with errc::invalid_argument, the diagnostics saying that the table holds an item of the feed
/// `problem`.
template <class T>
boost::asio::awaitable<error_code> load_feed(client& cl, const std::string& table,
                                             const std::string& feed, std::vector<T>& out,
                                             diagnostics& diag,
                                             bool (*read)(const attribute_map&, std::vector<T>&),
                                             const char* problem)
{
    diag.clear();
    out.clear();
    std::vector<attribute_map> items;
    const error_code read_error = co_await feed_items(cl, table, feed, items, diag);
    if (read_error) co_return read_error;
    for (const attribute_map& item : items) {
        if (read(item, out)) continue;
        diag.message =
            "checkpoint table \"" + table + "\" holds an item of feed \"" + feed + "\" " + problem;
        co_return make_error_code(errc::invalid_argument);
    }
    co_return error_code{};
}

/// Checks a save's arguments; the error names what is wrong.
error_code check_checkpoints(const std::string& feed,
                             const std::vector<shard_checkpoint>& positions, diagnostics& diag)
{
    if (feed.empty()) {
        diag.message = "a checkpoint needs a feed name";
        return make_error_code(errc::invalid_argument);
    }
    for (const shard_checkpoint& each : positions) {
        if (each.shard_id.empty()) {
            diag.message = "a checkpoint of feed \"" + feed + "\" has no shard id";
            return make_error_code(errc::invalid_argument);
        }
        if (checkpoint_position(each.sequence_number).empty()) {
            diag.message = "the checkpoint of shard \"" + each.shard_id + "\" has sequence number \"" +
                           each.sequence_number + "\", not a decimal number of at most 40 digits";
            return make_error_code(errc::invalid_argument);
        }
    }
    return {};
}

/// Whether `owner` holds the lease of `row`; as in a table, no owner matches no one.
bool held_by(const shard_lease& row, const std::string& owner)
{
    return !row.owner.empty() && row.owner == owner;
}

}  // namespace

// --- memory_checkpoint_store ---------------------------------------------------------------

boost::asio::awaitable<error_code> memory_checkpoint_store::load(
    const std::string& feed, std::vector<shard_checkpoint>& out, diagnostics& diag)
{
    diag.clear();
    out.clear();
    for (auto& [shard, sequence] : positions(feed)) out.push_back({shard, std::move(sequence)});
    co_return error_code{};
}

boost::asio::awaitable<error_code> memory_checkpoint_store::save(
    const std::string& feed, const std::vector<shard_checkpoint>& positions, diagnostics& diag)
{
    diag.clear();
    if (error_code ec = check_checkpoints(feed, positions, diag)) co_return ec;
    const std::lock_guard lock(mutex_);
    for (const shard_checkpoint& each : positions) {
        shard_lease& row = rows_[{feed, each.shard_id}];
        row.shard_id = each.shard_id;
        if (row.sequence_number.empty() ||
            detail::sequence_less(row.sequence_number, each.sequence_number)) {
            row.sequence_number = each.sequence_number;
        }
    }
    co_return error_code{};
}

std::map<std::string, std::string> memory_checkpoint_store::positions(const std::string& feed) const
{
    const std::lock_guard lock(mutex_);
    std::map<std::string, std::string> out;
    for (auto it = rows_.lower_bound({feed, std::string()});
         it != rows_.end() && it->first.first == feed; ++it) {
        // A lease of a shard without a checkpoint yet is passed over.
        const std::string& sequence = it->second.sequence_number;
        if (!sequence.empty()) out.emplace(it->first.second, sequence);
    }
    return out;
}

template <class Allowed, class Change>
error_code memory_checkpoint_store::update_row(const std::string& feed, const std::string& shard,
                                               Allowed allowed, Change change, diagnostics& diag)
{
    diag.clear();
    const std::lock_guard lock(mutex_);
    const auto found = rows_.find({feed, shard});
    shard_lease missing;
    missing.shard_id = shard;
    const shard_lease& current = found == rows_.end() ? missing : found->second;
    if (!allowed(current)) {
        const std::string holder =
            current.owner.empty() ? "held by no one" : "held by \"" + current.owner + "\"";
        diag.message = "the lease of shard \"" + shard + "\" of feed \"" + feed + "\" is " +
                       holder + " with counter " + std::to_string(current.counter);
        return make_error_code(errc::conditional_check_failed);
    }
    shard_lease& row = rows_[{feed, shard}];
    row.shard_id = shard;
    change(row);
    return {};
}

boost::asio::awaitable<error_code> memory_checkpoint_store::load_leases(
    const std::string& feed, std::vector<shard_lease>& out, diagnostics& diag)
{
    diag.clear();
    out.clear();
    const std::lock_guard lock(mutex_);
    for (auto it = rows_.lower_bound({feed, std::string()});
         it != rows_.end() && it->first.first == feed; ++it) {
        out.push_back(it->second);
    }
    co_return error_code{};
}

boost::asio::awaitable<error_code> memory_checkpoint_store::take_lease(
    const std::string& feed, const std::string& shard, const std::string& owner,
    std::int64_t& counter, diagnostics& diag)
{
    const std::int64_t seen = counter;
    error_code ec = update_row(
        feed, shard, [&](const shard_lease& row) { return row.counter == seen; },
        [&](shard_lease& row) {
            row.owner = owner;
            row.counter = seen + 1;
        },
        diag);
    if (!ec) ++counter;
    co_return ec;
}

boost::asio::awaitable<error_code> memory_checkpoint_store::renew_lease(
    const std::string& feed, const std::string& shard, const std::string& owner,
    std::int64_t& counter, diagnostics& diag)
{
    const std::int64_t seen = counter;
    error_code ec = update_row(
        feed, shard,
        [&](const shard_lease& row) { return row.counter == seen && held_by(row, owner); },
        [&](shard_lease& row) { row.counter = seen + 1; }, diag);
    if (!ec) ++counter;
    co_return ec;
}

namespace {

/// What giving up a lease does to its row.
auto released(bool finished, bool passed_over)
{
    return [finished, passed_over](shard_lease& row) {
        ++row.counter;
        row.finished = finished;
        row.passed_over = passed_over;
        row.owner.clear();
    };
}

}  // namespace

boost::asio::awaitable<error_code> memory_checkpoint_store::release_lease(
    const std::string& feed, const std::string& shard, const std::string& owner, bool finished,
    diagnostics& diag)
{
    co_return update_row(
        feed, shard, [&](const shard_lease& row) { return held_by(row, owner); },
        released(finished, false), diag);
}

boost::asio::awaitable<error_code> memory_checkpoint_store::release_passed_over(
    const std::string& feed, const std::string& shard, const std::string& owner,
    diagnostics& diag)
{
    co_return update_row(
        feed, shard, [&](const shard_lease& row) { return held_by(row, owner); },
        released(true, true), diag);
}

boost::asio::awaitable<error_code> memory_checkpoint_store::save_leased(
    const std::string& feed, const shard_checkpoint& position, const std::string& owner,
    diagnostics& diag)
{
    diag.clear();
    const std::vector<shard_checkpoint> positions{position};
    if (error_code ec = check_checkpoints(feed, positions, diag)) co_return ec;
    co_return update_row(
        feed, position.shard_id,
        [&](const shard_lease& row) {
            return held_by(row, owner) &&
                   (row.sequence_number.empty() ||
                    !detail::sequence_less(position.sequence_number, row.sequence_number));
        },
        [&](shard_lease& row) { row.sequence_number = position.sequence_number; }, diag);
}

// --- table_checkpoint_store ----------------------------------------------------------------

table_checkpoint_store::table_checkpoint_store(client cl, std::string table_name)
    : client_(std::move(cl)), table_(std::move(table_name))
{
    if (table_.empty()) detail::throw_invalid("a checkpoint table needs a name");
}

create_table_request table_checkpoint_store::table_definition(std::string table_name)
{
    create_table_request request;
    request.table_name = std::move(table_name);
    request.attribute_definitions = {{"feed", scalar_attribute_type::s},
                                     {"shard", scalar_attribute_type::s}};
    request.key_schema = {{"feed", key_type::hash}, {"shard", key_type::range}};
    request.billing_mode = billing_mode::pay_per_request;
    return request;
}

boost::asio::awaitable<error_code> table_checkpoint_store::load(
    const std::string& feed, std::vector<shard_checkpoint>& out, diagnostics& diag)
{
    co_return co_await load_feed(client_, table_, feed, out, diag, read_checkpoint,
                                 "without the strings shard and sequence_number");
}

boost::asio::awaitable<error_code> table_checkpoint_store::save(
    const std::string& feed, const std::vector<shard_checkpoint>& positions, diagnostics& diag)
{
    diag.clear();
    if (error_code ec = check_checkpoints(feed, positions, diag)) co_return ec;
    for (const shard_checkpoint& each : positions) {
        const std::string position = checkpoint_position(each.sequence_number);
        put_item_request put{
            .table_name = table_,
            .item = {{"feed", feed},
                     {"shard", each.shard_id},
                     {"sequence_number", each.sequence_number},
                     {"position", position}},
            .condition_expression = "attribute_not_exists(#position) OR #position < :position",
            .expression_attribute_names = {{"#position", "position"}},
            .expression_attribute_values = {{":position", position}}};
        auto [ec, response] = co_await client_.async_put_item(std::move(put), diag,
                                                              detail::use_tuple);
        // The stored checkpoint is this one or later: it stays.
        if (ec == errc::conditional_check_failed) {
            diag.clear();
            continue;
        }
        if (ec) co_return ec;
    }
    co_return error_code{};
}

// --- table_checkpoint_store: leases --------------------------------------------------------

boost::asio::awaitable<error_code> table_checkpoint_store::load_leases(
    const std::string& feed, std::vector<shard_lease>& out, diagnostics& diag)
{
    co_return co_await load_feed(client_, table_, feed, out, diag, read_lease,
                                 "that is no lease: shard, owner and sequence_number must be "
                                 "strings, lease_counter an integer, finished and passed_over "
                                 "booleans");
}

boost::asio::awaitable<error_code> table_checkpoint_store::update_lease(
    update_item_request request, diagnostics& diag)
{
    diag.clear();
    request.table_name = table_;
    auto [ec, response] = co_await client_.async_update_item(std::move(request), diag,
                                                             detail::use_tuple);
    co_return ec;
}

namespace {

/// Whether a lease write that set `owner` and the counter `next` and then failed its condition
/// had in fact been applied by an earlier attempt of the same call, whose answer was lost: the
/// client retried it, and the item as stored (returned with the failure) is exactly what the
/// write set. KCL recovers such a "spurious renewal failure" the same way, with a read.
bool applied_by_lost_attempt(error_code ec, const diagnostics& diag, const std::string& owner,
                             std::int64_t next)
{
    if (ec != errc::conditional_check_failed || !diag.retried() || !diag.item)
        return false;
    const attribute_value* held = diag.item->find("owner");
    const attribute_value* counter = diag.item->find("lease_counter");
    std::int64_t stored = 0;
    return held && held->is_s() && held->as_s() == owner && counter && counter->is_n() &&
           !counter->as_n().to_int64(stored) && stored == next;
}

}  // namespace

boost::asio::awaitable<error_code> table_checkpoint_store::take_lease(
    const std::string& feed, const std::string& shard, const std::string& owner,
    std::int64_t& counter, diagnostics& diag)
{
    update_item_request request{
        .key = {{"feed", feed}, {"shard", shard}},
        .update_expression = "SET #owner = :owner, #counter = :next",
        .condition_expression = counter == 0 ? "attribute_not_exists(#counter)"
                                             : "#counter = :current",
        .expression_attribute_names = {{"#owner", "owner"}, {"#counter", "lease_counter"}},
        .expression_attribute_values = {{":owner", owner}, {":next", counter + 1}},
        .return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old};
    if (counter != 0) request.expression_attribute_values.set(":current", counter);
    error_code ec = co_await update_lease(std::move(request), diag);
    if (applied_by_lost_attempt(ec, diag, owner, counter + 1)) {
        ec = {};
        diag.clear();
    }
    if (!ec) ++counter;
    co_return ec;
}

boost::asio::awaitable<error_code> table_checkpoint_store::renew_lease(
    const std::string& feed, const std::string& shard, const std::string& owner,
    std::int64_t& counter, diagnostics& diag)
{
    update_item_request request{
        .key = {{"feed", feed}, {"shard", shard}},
        .update_expression = "SET #counter = :next",
        .condition_expression = "#counter = :current AND #owner = :owner",
        .expression_attribute_names = {{"#owner", "owner"}, {"#counter", "lease_counter"}},
        .expression_attribute_values = {
            {":owner", owner}, {":next", counter + 1}, {":current", counter}},
        .return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old};
    error_code ec = co_await update_lease(std::move(request), diag);
    if (applied_by_lost_attempt(ec, diag, owner, counter + 1)) {
        ec = {};
        diag.clear();
    }
    if (!ec) ++counter;
    co_return ec;
}

namespace {

/// The conditional write that gives up `owner`'s lease of `shard`.
update_item_request release_request(const std::string& feed, const std::string& shard,
                                    const std::string& owner, bool finished, bool passed_over)
{
    return {.key = {{"feed", feed}, {"shard", shard}},
            .update_expression = "SET #counter = #counter + :one, #finished = :finished, "
                                 "#passed = :passed REMOVE #owner",
            .condition_expression = "#owner = :owner",
            .expression_attribute_names = {{"#owner", "owner"},
                                           {"#counter", "lease_counter"},
                                           {"#finished", "finished"},
                                           {"#passed", "passed_over"}},
            .expression_attribute_values = {{":owner", owner},
                                            {":one", 1},
                                            {":finished", finished},
                                            {":passed", passed_over}}};
}

}  // namespace

boost::asio::awaitable<error_code> table_checkpoint_store::release_lease(
    const std::string& feed, const std::string& shard, const std::string& owner, bool finished,
    diagnostics& diag)
{
    update_item_request request = release_request(feed, shard, owner, finished, false);
    co_return co_await update_lease(std::move(request), diag);
}

boost::asio::awaitable<error_code> table_checkpoint_store::release_passed_over(
    const std::string& feed, const std::string& shard, const std::string& owner,
    diagnostics& diag)
{
    update_item_request request = release_request(feed, shard, owner, true, true);
    co_return co_await update_lease(std::move(request), diag);
}

boost::asio::awaitable<error_code> table_checkpoint_store::save_leased(
    const std::string& feed, const shard_checkpoint& position, const std::string& owner,
    diagnostics& diag)
{
    diag.clear();
    const std::vector<shard_checkpoint> positions{position};
    if (error_code ec = check_checkpoints(feed, positions, diag)) co_return ec;
    const std::string padded = checkpoint_position(position.sequence_number);
    update_item_request request{
        .key = {{"feed", feed}, {"shard", position.shard_id}},
        .update_expression = "SET #sequence = :sequence, #position = :position",
        .condition_expression =
            "#owner = :owner AND (attribute_not_exists(#position) OR #position <= :position)",
        .expression_attribute_names = {{"#owner", "owner"},
                                       {"#sequence", "sequence_number"},
                                       {"#position", "position"}},
        .expression_attribute_values = {
            {":owner", owner}, {":sequence", position.sequence_number}, {":position", padded}}};
    co_return co_await update_lease(std::move(request), diag);
}

}  // namespace dynomite
