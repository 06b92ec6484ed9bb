// The schema_migrations records and the runner's decisions: what to run, what blocks a run,
// when a table is ready. No I/O here.
#include <dynomite/migration/migration.hpp>
#include "core/enum_text.hpp"
#include "core/quoting.hpp"

#include <algorithm>
#include <map>

namespace dynomite {

using detail::in_quotes;

// --- Records ---------------------------------------------------------------------------------

std::string_view to_string(migration_status status) noexcept
{
    // In the order of the enumerators.
    static constexpr std::string_view names[] = {"in_progress", "complete", "error"};
    return detail::enum_name(status, names);
}

bool from_string(std::string_view text, migration_status& out) noexcept
{
    for (const migration_status status :
         {migration_status::in_progress, migration_status::complete, migration_status::error}) {
        if (to_string(status) == text) {
            out = status;
            return true;
        }
    }
    return false;
}

attribute_map to_item(const migration_record& record)
{
    attribute_map item;
    item.set("version", record.version);
    item.set("name", record.name);
    item.set("status", std::string(to_string(record.status)));
    if (!record.started_at.empty()) item.set("started_at", record.started_at);
    if (record.time_taken_ms) item.set("time_taken_ms", number::from_int(*record.time_taken_ms));
    if (!record.error_message.empty()) item.set("error_message", record.error_message);
    return item;
}

error_code from_item(const attribute_map& item, migration_record& out, std::string* why)
{
    migration_record record;
    const auto fail = [&](std::string message) {
        if (why) *why = "schema_migrations item " + in_quotes(record.version) + ": " + message;
        return error_code(errc::malformed_response);
    };
    const auto text = [&](std::string_view name, std::string& target, bool required) {
        const attribute_value* value = item.find(name);
        if (!value) return !required;
        const std::string* s = value->get_if<std::string>();
        if (!s) return false;
        target = *s;
        return true;
    };
    if (!text("version", record.version, true)) return fail("version is not a string");
    if (!text("name", record.name, true)) return fail("name is not a string");
    std::string status;
    if (!text("status", status, true) || !from_string(status, record.status)) {
        return fail("status is not in_progress, complete or error");
    }
    if (!text("started_at", record.started_at, false)) return fail("started_at is not a string");
    if (!text("error_message", record.error_message, false)) {
        return fail("error_message is not a string");
    }
    if (const attribute_value* taken = item.find("time_taken_ms")) {
        const number* n = taken->get_if<number>();
        std::int64_t ms = 0;
        if (!n || n->to_int64(ms)) return fail("time_taken_ms is not an integer");
        record.time_taken_ms = ms;
    }
    out = std::move(record);
    return {};
}

// --- Decisions -------------------------------------------------------------------------------

migration_plan plan_migrations(const std::vector<migration>& available,
                               const std::vector<migration_record>& records, bool clear_errors)
{
    migration_plan plan;
    std::map<std::string, const migration_record*, std::less<>> by_version;
    for (const migration_record& record : records) {
        by_version[record.version] = &record;
        if (record.status == migration_status::complete) continue;
        if (clear_errors) {
            plan.to_clear.push_back(record);
        } else if (!plan.blocker || record.version < plan.blocker->version) {
            plan.blocker = record;
        }
    }
    if (plan.blocker) return plan;
    for (const migration& m : available) {
        const auto found = by_version.find(m.version);
        if (found != by_version.end() && found->second->status == migration_status::complete) {
            plan.to_skip.push_back(&m);
        } else {
            plan.to_run.push_back(&m);
        }
    }
    return plan;
}

std::string blocked_message(const migration_record& blocker)
{
    const std::string id = blocker.version + "-" + blocker.name;
    if (blocker.status == migration_status::in_progress) {
        return "migration " + id +
               " is recorded as in_progress: a run stopped before it finished. Check its tables, "
               "then run `dynomite migrate --clear-errors` to run it again";
    }
    std::string text = "a recorded error blocks migration " + id;
    if (!blocker.error_message.empty()) text += " (" + blocker.error_message + ")";
    return text + "; fix it and run `dynomite migrate --clear-errors`";
}

bool table_is_ready(const table_description& table) noexcept
{
    if (table.table_status != table_status::active) return false;
    return std::all_of(table.global_secondary_indexes.begin(), table.global_secondary_indexes.end(),
                       [](const global_secondary_index_description& index) {
                           return index.index_status == index_status::active &&
                                  !index.backfilling.value_or(false);
                       });
}

std::string describe_readiness(const table_description& table)
{
    const auto status_name = [](const auto& status) {
        if (!status) return std::string("unknown");
        const std::string_view name = to_string(*status);
        return name.empty() ? std::string("unknown") : std::string(name);
    };
    std::string text = "table " + table.table_name + ": " + status_name(table.table_status);
    for (const global_secondary_index_description& index : table.global_secondary_indexes) {
        text += "; index " + index.index_name + ": " + status_name(index.index_status);
        if (index.backfilling.value_or(false)) text += " (backfilling)";
    }
    return text;
}

}  // namespace dynomite
