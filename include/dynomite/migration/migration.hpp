// Schema migrations: the steps that create, change and delete tables, the requests they make,
// and the runner that applies them once each, recording their state in `schema_migrations`.
#pragma once

#include <dynomite/core/async_operation.hpp>
#include <dynomite/client/client.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/core/naming.hpp>
#include <dynomite/protocol/generated_operations.hpp>
#include <dynomite/protocol/tables.hpp>
#include <dynomite/query/table_schema.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dynomite {

/// Errors of migrations, in their own category ("dynomite.migration").
enum class migration_errc {
    /// A migration file or step is malformed; the message names the file and the JSON path.
    invalid_migration = 1,
    /// Two migrations share one version.
    duplicate_version,
    /// A recorded `error` or `in_progress` state stops the run until it is cleared.
    blocked,
    /// A migration's request failed; it is recorded as `error`.
    migration_failed,
    /// A table or index did not become ACTIVE (or a table did not go away) within the bound.
    wait_exhausted,
};

const boost::system::error_category& migration_category() noexcept;

inline const boost::system::error_category& category_of(migration_errc) noexcept
{
    return migration_category();
}

}  // namespace dynomite

namespace dynomite {

// --- Key specifications ----------------------------------------------------------------------

/// Reads "id:string" into a key_attribute (table_schema.hpp): a name, a colon, and
/// string|number|binary (or s|n|b, any case). A spec without a colon ("id") is a string key.
/// errc::invalid_argument, the reason in `why`, for an empty name or an unknown type.
error_code parse_key_attribute(std::string_view spec, key_attribute& out,
                               std::string* why = nullptr);
/// As above; throws dynomite::error.
key_attribute parse_key_attribute(std::string_view spec);

// --- Steps -----------------------------------------------------------------------------------

/// A global or local secondary index of a migration.
struct index_definition {
    std::string index_name;
    /// "user_id:string"; for a local index, the table's partition key.
    std::string partition_key;
    std::optional<std::string> sort_key;
    /// ALL when projection_type is not set; INCLUDE with non_key_attributes.
    dynomite::projection projection;
    /// A global index of a PROVISIONED table; the table's own capacity when not set.
    std::optional<provisioned_throughput> throughput;
};

/// create_table: a table with its keys, billing, indexes and settings.
struct table_definition {
    /// Before the namespace: "posts" becomes "myapp_posts" in namespace "myapp".
    std::string table_name;
    std::string partition_key;
    std::optional<std::string> sort_key;
    dynomite::billing_mode billing_mode = billing_mode::pay_per_request;
    /// Required with billing_mode::provisioned, refused with pay_per_request.
    std::optional<provisioned_throughput> throughput;
    std::vector<index_definition> global_secondary_indexes;
    std::vector<index_definition> local_secondary_indexes;
    /// Enables TTL on this attribute once the table exists (an UpdateTimeToLive after the
    /// CreateTable: DynamoDB does not take TTL in CreateTable).
    std::optional<std::string> ttl_attribute;
    /// Enables a stream with this view type.
    std::optional<stream_view_type> stream;
    /// Server-side encryption with an AWS managed KMS key (true) or DynamoDB's own (false).
    std::optional<bool> sse;
    /// Sent in the CreateTable, so the table never exists untagged; when the table existed
    /// already (adopted), set afterwards with TagResource. Checked against DynamoDB's rules
    /// (check_tags) before anything is sent.
    std::vector<tag> tags;
    std::optional<bool> deletion_protection;
    /// Point-in-time recovery on or off: an UpdateContinuousBackups once the table is ACTIVE.
    std::optional<bool> point_in_time_recovery;
};

/// A new capacity for one global index of a PROVISIONED table.
struct index_throughput {
    std::string index_name;
    provisioned_throughput throughput;
};

/// update_table: index changes, billing and capacity, the stream, deletion protection, tags and
/// point-in-time recovery.
/// DynamoDB takes one index creation or deletion per UpdateTable, so each becomes a request of
/// its own, the runner waiting for the table to be ACTIVE in between.
struct table_changes {
    std::string table_name;
    std::vector<index_definition> add_global_indexes;
    std::vector<index_throughput> update_global_indexes;
    std::vector<std::string> remove_global_indexes;
    std::optional<dynomite::billing_mode> billing_mode;
    std::optional<provisioned_throughput> throughput;
    /// Enables the table's stream with this view type (DynamoDB refuses a table that has one).
    std::optional<stream_view_type> stream;
    /// Disables the table's stream.
    bool remove_stream = false;
    std::optional<bool> deletion_protection;
    /// Tags set (added, or their values replaced) with TagResource; other tags stay.
    std::vector<tag> tags;
    /// Keys of tags removed with UntagResource (sent before the TagResource); a key may not
    /// also be in `tags`.
    std::vector<std::string> untag;
    /// Point-in-time recovery on or off: an UpdateContinuousBackups.
    std::optional<bool> point_in_time_recovery;
};

struct table_deletion {
    std::string table_name;
};

/// update_ttl: enables or disables TTL on an attribute.
struct ttl_change {
    std::string table_name;
    std::string attribute;
    bool enabled = true;
};

using migration_step = std::variant<table_definition, table_changes, table_deletion, ttl_change>;

/// What a migration's `up` receives: each call appends a step, applied in order.
///
///     void up(dynomite::migration_builder& m) {
///         auto& posts = m.create_table("posts", "id:string", "created_at:string");
///         posts.ttl_attribute = "expires_at";
///     }
class migration_builder {
public:
    table_definition& create_table(std::string table_name, std::string partition_key,
                                   std::optional<std::string> sort_key = std::nullopt);
    table_changes& update_table(std::string table_name);
    void delete_table(std::string table_name);
    void update_ttl(std::string table_name, std::string attribute, bool enabled = true);

    const std::vector<migration_step>& steps() const noexcept { return steps_; }
    std::vector<migration_step> take_steps() noexcept { return std::move(steps_); }

private:
    std::vector<migration_step> steps_;
};

/// One migration: a version ("20260125093000", ordered as text), a name ("create_posts"),
/// and its steps.
struct migration {
    std::string version;
    std::string name;
    std::vector<migration_step> steps;
    /// Where it was read from, for messages; empty for migrations written in C++.
    std::string source;

    /// "20260125093000-create_posts"
    std::string id() const { return version + "-" + name; }
};

/// A migration written in C++: `M` has `void up(dynomite::migration_builder&)`.
///
///     struct create_posts {
///         void up(dynomite::migration_builder& m) { m.create_table("posts", "id:string"); }
///     };
///     auto m = dynomite::make_migration<create_posts>("20260125093000", "create_posts");
template <class M>
migration make_migration(std::string version, std::string name)
{
    migration_builder builder;
    M definition{};
    definition.up(builder);
    return migration{std::move(version), std::move(name), builder.take_steps(), {}};
}

// --- Requests --------------------------------------------------------------------------------

/// `table_name` in the namespace of `naming` (its namespace_, else DYNOMITE_NAMESPACE through
/// its env, then its separator), exactly as table_name_for() prefixes model tables.
/// errc::invalid_argument when the result is not a valid table name.
error_code namespaced_table_name(std::string_view table_name, const naming_options& naming,
                                 std::string& out, std::string* why = nullptr);

/// TagResource on a table: the runner reads the table's ARN (TableArn) with DescribeTable.
struct tag_table_request {
    std::string table_name;
    std::vector<tag> tags;
};

/// UntagResource on a table, its ARN read like tag_table_request's.
struct untag_table_request {
    std::string table_name;
    std::vector<std::string> tag_keys;
};

using migration_request =
    std::variant<create_table_request, update_table_request, delete_table_request,
                 update_time_to_live_request, tag_table_request, untag_table_request,
                 update_continuous_backups_request>;

/// The longest tag key and value DynamoDB takes, in characters, and the most tags per table.
inline constexpr std::size_t max_tag_key_length = 128;
inline constexpr std::size_t max_tag_value_length = 256;
inline constexpr std::size_t max_tags_per_table = 50;

/// Checks tags set and tag keys removed against DynamoDB's rules: keys of 1 to 128 characters
/// (UTF-8 code points), not starting with "aws:" (any case), values of at most 256, at most 50
/// tags, no key twice, no key both set and removed. migration_errc::invalid_migration, `why`
/// (after `where`) naming the tag and the rule. Character classes are left to DynamoDB.
error_code check_tags(std::string_view where, const std::vector<tag>& tags,
                      const std::vector<std::string>& removed, std::string* why = nullptr);

/// The requests a step sends, in order, table names namespaced. Fails with
/// migration_errc::invalid_migration, the reason in `why`, for a bad key spec, PROVISIONED
/// without capacity, capacity with PAY_PER_REQUEST, a local index whose partition key is not
/// the table's, two key specs of one attribute with different types, an INCLUDE projection
/// without attributes, an index or table name DynamoDB refuses, or an update_table with
/// nothing to change, and tags check_tags() refuses.
error_code build_requests(const migration_step& step, const naming_options& naming,
                          std::vector<migration_request>& out, std::string* why = nullptr);

/// The namespaced table a request is about.
const std::string& request_table_name(const migration_request& request) noexcept;

/// "CreateTable posts", "UpdateTable posts (create index user_id-index)", ...
std::string describe_request(const migration_request& request);

// --- Files -----------------------------------------------------------------------------------

/// Where migration files are looked for by default, relative to the working directory.
inline constexpr std::string_view default_migration_path = "dynamodb/migrate";

/// Reads "20260125093000-create_posts.json": 14 digits (YYYYmmddHHMMSS, a valid date and
/// time), '-', a name of letters, digits and '_', ".json". migration_errc::invalid_migration
/// otherwise, `why` saying what is expected.
error_code parse_migration_file_name(std::string_view file_name, std::string& version,
                                     std::string& name, std::string* why = nullptr);

/// Reads the JSON text of a migration file (comments and trailing commas allowed) into
/// `out.steps`; `source` names the file in messages. migration_errc::invalid_migration, `why`
/// naming the file, the JSON path ("up[0].create_table.global_secondary_indexes[1].projection")
/// and what is expected, for bad JSON, unknown keys, wrong types and bad key specs.
error_code parse_migration_json(std::string_view text, std::string_view source,
                                std::vector<migration_step>& out, std::string* why = nullptr);

/// Reads one file: its name (parse_migration_file_name) and its content.
error_code load_migration_file(const std::string& path, migration& out, std::string* why = nullptr);

/// Every "*.json" file of `directory`, by version. Other files are ignored; a missing
/// directory is errc::invalid_argument; two files of one version are
/// migration_errc::duplicate_version.
error_code load_migrations(const std::string& directory, std::vector<migration>& out,
                           std::string* why = nullptr);

// --- The runner ------------------------------------------------------------------------------

enum class migration_status { in_progress, complete, error };

/// "in_progress", "complete", "error".
std::string_view to_string(migration_status status) noexcept;
bool from_string(std::string_view text, migration_status& out) noexcept;

/// One item of the schema_migrations table.
struct migration_record {
    std::string version;
    std::string name;
    migration_status status = migration_status::in_progress;
    /// ISO 8601, UTC.
    std::string started_at;
    std::optional<std::int64_t> time_taken_ms;
    std::string error_message;
};

/// The schema_migrations item of a record, and back. from_item fails with
/// errc::malformed_response naming the attribute when the item is not one the runner wrote.
attribute_map to_item(const migration_record& record);
error_code from_item(const attribute_map& item, migration_record& out, std::string* why = nullptr);

/// What the runner will do: the decision made from the migrations and the records alone.
struct migration_plan {
    /// The records to delete before running (with clear_errors).
    std::vector<migration_record> to_clear;
    /// The migrations to run, by version.
    std::vector<const migration*> to_run;
    /// Those already complete.
    std::vector<const migration*> to_skip;
    /// The recorded error or in_progress state that stops everything, without clear_errors.
    std::optional<migration_record> blocker;
};

/// Decides what a run does. A record in state `error` or `in_progress` (a run that crashed)
/// blocks the run, even when its migration file is gone, unless `clear_errors`; then those
/// records are cleared and their migrations run again. Completed migrations are skipped; the
/// others run in version order. `available` must be sorted by version.
migration_plan plan_migrations(const std::vector<migration>& available,
                               const std::vector<migration_record>& records, bool clear_errors);

/// The message of a blocked run: which migration, what it recorded, and what to do.
std::string blocked_message(const migration_record& blocker);

/// Whether a described table is ACTIVE with every global index ACTIVE and none backfilling.
bool table_is_ready(const table_description& table) noexcept;
/// "table myapp_posts: UPDATING; index user_id-index: CREATING (backfilling)"
std::string describe_readiness(const table_description& table);

/// The differences between a described table and the one `wanted` creates ("keys id (S,
/// HASH) instead of id (N, HASH)", "global index \"by_user\" is missing", "billing mode
/// PROVISIONED instead of PAY_PER_REQUEST"): keys and their types, indexes with their keys and
/// projections, capacities, and the billing mode where the description shows it. Empty when
/// the table is the one the request makes.
std::vector<std::string> table_differences(const create_table_request& wanted,
                                           const table_description& actual);
/// The same for an UpdateTable: empty when the table already shows its effect (indexes
/// created with their keys and projections, or gone; billing mode and capacities as asked).
std::vector<std::string> update_differences(const update_table_request& wanted,
                                            const table_description& actual);

/// One line of progress: which migration, and what happens.
struct migration_event {
    std::string migration_id;
    std::string message;
};

struct migration_options {
    /// The namespace of the tables, and of schema_migrations itself.
    naming_options naming;
    std::string migrations_table = "schema_migrations";
    /// Deletes the records of state `error` or `in_progress` first, so that their migrations
    /// run again. Nothing else is undone: a step that succeeded before the failure is not
    /// reverted, so fix the migration (or the tables) before clearing.
    bool clear_errors = false;
    /// Receives each request sent, each wait and each outcome.
    std::function<void(const migration_event&)> progress;
    /// DescribeTable polls while waiting for one table, before migration_errc::wait_exhausted.
    int max_wait_polls = 360;
    std::chrono::milliseconds first_poll_delay{100};
    std::chrono::milliseconds max_poll_delay{5000};
};

/// What a run did, by migration id.
struct migration_report {
    std::vector<std::string> cleared;
    std::vector<std::string> applied;
    std::vector<std::string> skipped;
    /// "<migration id>: <table>" for each CreateTable whose table existed already with the
    /// migration's schema (made by an earlier attempt whose answer was lost, or by hand).
    std::vector<std::string> adopted;
};

/// Applies the migrations not yet complete, in version order, creating the namespaced
/// schema_migrations table (partition key `version`, a string) when missing.
///
/// A CreateTable, UpdateTable or DeleteTable refused with ResourceInUseException,
/// ResourceNotFoundException or (UpdateTable) a ValidationException may have been applied
/// already: by an earlier attempt whose answer was lost, or by hand. The runner then waits for
/// the table as the step would and compares it with the step (table_differences,
/// update_differences): a match counts as done (a created table is reported adopted), a
/// difference fails the migration with the list of differences. Each migration is
/// recorded `in_progress`, then `complete` with its time taken, or `error` with the message.
/// Throws dynomite::error: migration_errc::blocked (nothing was sent but reads) when a
/// recorded state blocks the run, migration_errc::migration_failed when a step fails,
/// migration_errc::duplicate_version, or what the client reports.
boost::asio::awaitable<migration_report> run_migrations(client db,
                                                        std::vector<migration> migrations,
                                                        migration_options options = {});

/// run_migrations() for any completion token: void(error_code, migration_report), on the
/// client's executor.
template <class CompletionToken>
auto async_run_migrations(client db, std::vector<migration> migrations, migration_options options,
                          diagnostics& diag, CompletionToken&& token)
{
    auto executor = db.get_executor();
    return async_run<migration_report>(
        std::move(executor), diag,
        [db = std::move(db), migrations = std::move(migrations),
         options = std::move(options)]() mutable {
            return run_migrations(std::move(db), std::move(migrations), std::move(options));
        },
        std::forward<CompletionToken>(token));
}

/// The records of schema_migrations, by version; none when the table does not exist.
boost::asio::awaitable<std::vector<migration_record>> read_migration_records(
    client db, migration_options options = {});

}  // namespace dynomite
