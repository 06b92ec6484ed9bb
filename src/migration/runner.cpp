// The migration runner: schema_migrations, the requests of each migration, and the waits
// between them. The decisions it follows are in migration.cpp.
#include <dynomite/migration/migration.hpp>
#include <dynomite/core/time.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace dynomite {

namespace {

namespace asio = boost::asio;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

void report(const migration_options& options, const std::string& id, std::string message)
{
    if (options.progress) options.progress(migration_event{id, std::move(message)});
}

std::string now_iso8601()
{
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return format_iso8601(now);
}

std::string server_message(error_code ec, const diagnostics& diag)
{
    std::string text = diag.to_string();
    return text.empty() ? ec.message() : text;
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds delay)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
}

std::string migrations_table_name(const migration_options& options)
{
    std::string name;
    std::string why;
    const error_code ec =
        namespaced_table_name(options.migrations_table, options.naming, name, &why);
    throw_on_error(ec, why);
    return name;
}

// GCC 12 reports a false -Wmismatched-new-delete on this coroutine's frame (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// Polls DescribeTable until the table is ready (or, for `gone`, until it no longer exists).
asio::awaitable<error_code> wait_for_table(client& db, const std::string& table, bool gone,
                                           const migration_options& options, const std::string& id,
                                           std::string& why, table_description* ready = nullptr)
{
    describe_table_request request;
    request.table_name = table;
    auto delay = options.first_poll_delay;
    std::string last_state;
    for (int poll = 0; poll < options.max_wait_polls; ++poll) {
        diagnostics diag;
        auto [ec, described] = co_await db.async_describe_table(request, diag, tuple_awaitable);
        if (gone && ec == errc::resource_not_found) co_return error_code();
        if (ec) {
            why = "DescribeTable " + table + ": " + server_message(ec, diag);
            co_return ec;
        }
        if (!gone && table_is_ready(described.table)) {
            if (ready != nullptr) *ready = std::move(described.table);
            co_return error_code();
        }
        last_state = describe_readiness(described.table);
        report(options, id, "waiting: " + last_state);
        co_await sleep_for(delay);
        delay = std::min(delay * 2, options.max_poll_delay);
    }
    why = "table " + table + (gone ? " still exists" : " is not ready") + " after " +
          std::to_string(options.max_wait_polls) + " DescribeTable calls (" + last_state + ")";
    co_return migration_errc::wait_exhausted;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Whether a refusal may mean that the request's effect is there already: its first attempt
// applied and its answer lost, or the table changed outside the migrations.
bool may_be_applied(const migration_request& request, error_code ec)
{
    if (std::holds_alternative<create_table_request>(request)) return ec == errc::resource_in_use;
    if (std::holds_alternative<delete_table_request>(request)) {
        return ec == errc::resource_not_found || ec == errc::resource_in_use;
    }
    if (std::holds_alternative<update_table_request>(request)) {
        return ec == errc::resource_in_use || ec == errc::resource_not_found ||
               ec == errc::validation;
    }
    return false;
}

std::string join(const std::vector<std::string>& parts)
{
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return out;
}

// After a refusal that may_be_applied(): waits for the table as the request would, then
// compares it with the request. No error when it matches; `adopted` for a created table.
asio::awaitable<error_code> check_applied(client& db, const migration_request& request,
                                          error_code refusal, const diagnostics& refusal_diag,
                                          const migration_options& options, const std::string& id,
                                          std::string& why, bool& adopted)
{
    const std::string& table = request_table_name(request);
    const std::string refused =
        describe_request(request) + ": " + server_message(refusal, refusal_diag);
    const bool retried = refusal_diag.retried();
    if (std::holds_alternative<delete_table_request>(request)) {
        const error_code gone = co_await wait_for_table(db, table, true, options, id, why);
        if (!gone) report(options, id, "table " + table + " is gone already");
        co_return gone;
    }
    table_description described;
    std::string wait_why;
    const error_code waited =
        co_await wait_for_table(db, table, false, options, id, wait_why, &described);
    if (waited) {
        why = refused + (waited == errc::resource_not_found ? "" : "; then " + wait_why);
        co_return refusal;
    }
    if (const auto* create = std::get_if<create_table_request>(&request)) {
        const auto differences = table_differences(*create, described);
        if (!differences.empty()) {
            why = "CreateTable " + table +
                  ": the table exists already and differs from the migration: " + join(differences);
            co_return refusal;
        }
        adopted = true;
        report(options, id,
               retried ? "table " + table +
                             " exists with the migration's schema (an earlier attempt was "
                             "applied, its answer lost): adopted"
                       : "table " + table + " exists already with the migration's schema: adopted");
        co_return error_code();
    }
    const auto& update = std::get<update_table_request>(request);
    const auto differences = update_differences(update, described);
    if (!differences.empty()) {
        why = refused + "; the table does not show the change: " + join(differences);
        co_return refusal;
    }
    report(options, id, describe_request(request) + ": the table shows the change already");
    co_return error_code();
}

// GCC 12's false -Wmismatched-new-delete again (GCC bug 109224), as for wait_for_table.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// TagResource or UntagResource on a table, named by the ARN DescribeTable shows.
asio::awaitable<error_code> apply_tagging(client& db, const migration_request& request,
                                          std::string& why)
{
    const std::string& table = request_table_name(request);
    describe_table_request describe;
    describe.table_name = table;
    diagnostics describe_diag;
    auto [described_ec, described] =
        co_await db.async_describe_table(describe, describe_diag, tuple_awaitable);
    const std::string purpose = " (the table's ARN, for " + describe_request(request) + ")";
    if (described_ec) {
        why = "DescribeTable " + table + purpose + ": " + server_message(described_ec, describe_diag);
        co_return described_ec;
    }
    if (described.table.table_arn.empty()) {
        why = "DescribeTable " + table + purpose + ": the answer has no TableArn";
        co_return errc::malformed_response;
    }
    diagnostics diag;
    error_code ec;
    if (const auto* tagging = std::get_if<tag_table_request>(&request)) {
        tag_resource_request tag_request;
        tag_request.resource_arn = described.table.table_arn;
        tag_request.tags = tagging->tags;
        auto [e, r] = co_await db.async_tag_resource(tag_request, diag, tuple_awaitable);
        ec = e;
    } else {
        untag_resource_request untag_request;
        untag_request.resource_arn = described.table.table_arn;
        untag_request.tag_keys = std::get<untag_table_request>(request).tag_keys;
        auto [e, r] = co_await db.async_untag_resource(untag_request, diag, tuple_awaitable);
        ec = e;
    }
    if (ec) why = describe_request(request) + ": " + server_message(ec, diag);
    co_return ec;
}

// Sends one request of a migration and waits for its effect.
asio::awaitable<error_code> apply_request(client& db, const migration_request& request,
                                          const migration_options& options, const std::string& id,
                                          std::string& why, bool& adopted)
{
    report(options, id, describe_request(request));
    if (std::holds_alternative<tag_table_request>(request) ||
        std::holds_alternative<untag_table_request>(request)) {
        auto tagged = co_await apply_tagging(db, request, why);
        co_return tagged;
    }
    diagnostics diag;
    error_code ec;
    bool wait_ready = true;
    bool wait_gone = false;
    if (const auto* create = std::get_if<create_table_request>(&request)) {
        auto [e, r] = co_await db.async_create_table(*create, diag, tuple_awaitable);
        ec = e;
    } else if (const auto* update = std::get_if<update_table_request>(&request)) {
        auto [e, r] = co_await db.async_update_table(*update, diag, tuple_awaitable);
        ec = e;
    } else if (const auto* deletion = std::get_if<delete_table_request>(&request)) {
        auto [e, r] = co_await db.async_delete_table(*deletion, diag, tuple_awaitable);
        ec = e;
        wait_ready = false;
        wait_gone = true;
    } else if (const auto* backups = std::get_if<update_continuous_backups_request>(&request)) {
        auto [e, r] = co_await db.async_update_continuous_backups(*backups, diag, tuple_awaitable);
        ec = e;
        wait_ready = false;
    } else {
        const auto& ttl = std::get<update_time_to_live_request>(request);
        auto [e, r] = co_await db.async_update_time_to_live(ttl, diag, tuple_awaitable);
        ec = e;
        wait_ready = false;
    }
    if (ec && may_be_applied(request, ec)) {
        auto checked = co_await check_applied(db, request, ec, diag, options, id, why, adopted);
        co_return checked;
    }
    if (ec) {
        why = describe_request(request) + ": " + server_message(ec, diag);
        co_return ec;
    }
    if (!wait_ready && !wait_gone) co_return error_code();
    const std::string& table = request_table_name(request);
    auto waited = co_await wait_for_table(db, table, wait_gone, options, id, why);
    co_return waited;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

asio::awaitable<void> put_record(client& db, const std::string& table,
                                 const migration_record& record)
{
    put_item_request request;
    request.table_name = table;
    request.item = to_item(record);
    co_await db.put_item(std::move(request));
}

// Creates schema_migrations when it does not exist.
asio::awaitable<void> ensure_migrations_table(client& db, const std::string& table,
                                              const migration_options& options)
{
    describe_table_request describe;
    describe.table_name = table;
    diagnostics diag;
    auto [ec, described] = co_await db.async_describe_table(describe, diag, tuple_awaitable);
    if (!ec) co_return;
    if (ec != errc::resource_not_found) throw error(ec, diag);

    create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"version", scalar_attribute_type::s}};
    create.key_schema = {{"version", key_type::hash}};
    create.billing_mode = billing_mode::pay_per_request;
    report(options, "", "creating " + table);
    diagnostics create_diag;
    auto [create_ec, created] =
        co_await db.async_create_table(create, create_diag, tuple_awaitable);
    // Another run may have created it meanwhile; then it is waited for like our own.
    if (create_ec && create_ec != errc::resource_in_use) throw error(create_ec, create_diag);
    std::string why;
    const error_code waited = co_await wait_for_table(db, table, false, options, "", why);
    throw_on_error(waited, why);
}

asio::awaitable<std::vector<migration_record>> read_records(client& db, const std::string& table)
{
    std::vector<migration_record> records;
    scan_request request;
    request.table_name = table;
    request.consistent_read = true;
    for (;;) {
        diagnostics diag;
        auto [ec, page] = co_await db.async_scan(request, diag, tuple_awaitable);
        if (ec == errc::resource_not_found) co_return std::vector<migration_record>{};
        throw_on_error(ec, diag);
        for (const attribute_map& item : page.items) {
            migration_record record;
            std::string why;
            const error_code read_ec = from_item(item, record, &why);
            throw_on_error(read_ec, why);
            records.push_back(std::move(record));
        }
        if (!page.last_evaluated_key) break;
        request.exclusive_start_key = std::move(page.last_evaluated_key);
    }
    std::sort(
        records.begin(), records.end(),
        [](const migration_record& a, const migration_record& b) { return a.version < b.version; });
    co_return records;
}

}  // namespace

asio::awaitable<std::vector<migration_record>> read_migration_records(client db,
                                                                      migration_options options)
{
    const std::string table = migrations_table_name(options);
    auto records = co_await read_records(db, table);
    co_return records;
}

asio::awaitable<migration_report> run_migrations(client db, std::vector<migration> migrations,
                                                 migration_options options)
{
    std::stable_sort(migrations.begin(), migrations.end(),
                     [](const migration& a, const migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        if (migrations[i].version == migrations[i - 1].version) {
            throw error(migration_errc::duplicate_version,
                        "migrations " + migrations[i - 1].id() + " and " + migrations[i].id() +
                            " share version " + migrations[i].version);
        }
    }
    // Every request is built before anything is sent, so that a bad step stops the run early.
    std::vector<std::vector<migration_request>> requests(migrations.size());
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        for (const migration_step& step : migrations[i].steps) {
            std::string why;
            const error_code ec = build_requests(step, options.naming, requests[i], &why);
            if (ec) throw error(ec, "migration " + migrations[i].id() + ": " + why);
        }
    }

    const std::string table = migrations_table_name(options);
    co_await ensure_migrations_table(db, table, options);
    const auto records = co_await read_records(db, table);
    const migration_plan plan = plan_migrations(migrations, records, options.clear_errors);
    if (plan.blocker) throw error(migration_errc::blocked, blocked_message(*plan.blocker));

    migration_report result;
    for (const migration_record& record : plan.to_clear) {
        delete_item_request clear;
        clear.table_name = table;
        clear.key.set("version", record.version);
        const std::string id = record.version + "-" + record.name;
        report(options, id, "clearing recorded " + std::string(to_string(record.status)));
        co_await db.delete_item(std::move(clear));
        result.cleared.push_back(id);
    }
    for (const migration* m : plan.to_skip) result.skipped.push_back(m->id());

    for (const migration* m : plan.to_run) {
        const std::size_t index = static_cast<std::size_t>(m - migrations.data());
        const std::string id = m->id();
        migration_record record;
        record.version = m->version;
        record.name = m->name;
        record.status = migration_status::in_progress;
        record.started_at = now_iso8601();
        co_await put_record(db, table, record);
        report(options, id, "running");

        const auto started = std::chrono::steady_clock::now();
        error_code failure;
        std::string why;
        for (const migration_request& request : requests[index]) {
            bool adopted = false;
            failure = co_await apply_request(db, request, options, id, why, adopted);
            if (failure) break;
            if (!adopted) continue;
            result.adopted.push_back(id + ": " + request_table_name(request));
            // The existing table did not take the CreateTable's tags: they are set now.
            const auto* create = std::get_if<create_table_request>(&request);
            if (create == nullptr || create->tags.empty()) continue;
            const migration_request tagging = tag_table_request{create->table_name, create->tags};
            failure = co_await apply_request(db, tagging, options, id, why, adopted);
            if (failure) break;
        }
        record.time_taken_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count();
        if (failure) {
            record.status = migration_status::error;
            record.error_message = why;
            co_await put_record(db, table, record);
            report(options, id, "error: " + why);
            throw error(migration_errc::migration_failed, "migration " + id + " failed: " + why);
        }
        record.status = migration_status::complete;
        co_await put_record(db, table, record);
        report(options, id, "complete in " + std::to_string(*record.time_taken_ms) + " ms");
        result.applied.push_back(id);
    }
    co_return result;
}

}  // namespace dynomite
