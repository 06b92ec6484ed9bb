// `dynomite migrate` and `dynomite migrate status`.
#include "cli.hpp"

#include <dynomite/migration/migration.hpp>

#include <iomanip>
#include <map>
#include <ostream>

namespace dynomite::cli {

namespace {

constexpr std::string_view migrate_help =
    R"(Usage: dynomite migrate [--path DIR] [--clear-errors]
       dynomite migrate status [--path DIR]

Applies the migration files of DIR (default dynamodb/migrate), YYYYmmddHHMMSS-name.json,
in version order, each at most once. Their state is kept in the table schema_migrations (in
the namespace, if any), created when missing: in_progress while a migration runs, then
complete, or error with DynamoDB's message. Tables and indexes are waited for until ACTIVE.

A migration recorded as error, or left in_progress by a run that stopped, blocks every later
run (exit status 3). Fix the cause, then run with --clear-errors: it deletes those records
(and only them; nothing done by the failed migration is undone) and runs their migrations
again with the ones not applied yet.

`migrate status` lists each migration: complete, error, in_progress or pending.

Options:
  --path DIR        where the migration files are (default dynamodb/migrate)
  --clear-errors    clear recorded error and in_progress states, then migrate
  --help, -h        this text
)";

struct migrate_arguments {
    std::string path{default_migration_path};
    bool clear_errors = false;
    bool status = false;
    bool help = false;
};

bool parse_migrate_arguments(const std::vector<std::string>& args, migrate_arguments& out,
                             std::string& why)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        std::string value;
        const option_match path = match_option(args, i, "--path", value);
        if (path == option_match::missing_value) {
            why = "--path needs a directory";
            return false;
        }
        if (path == option_match::matched_option) {
            out.path = value;
        } else if (arg == "--clear-errors") {
            out.clear_errors = true;
        } else if (arg == "--help" || arg == "-h") {
            out.help = true;
        } else if (arg == "status" && i == 0) {
            out.status = true;
        } else {
            why = "unexpected argument \"" + arg + "\"";
            return false;
        }
    }
    if (out.status && out.clear_errors) {
        why = "--clear-errors applies to `dynomite migrate`, not to `migrate status`";
        return false;
    }
    return true;
}

migration_options options_for(const global_options& options, std::ostream& out)
{
    migration_options result;
    result.naming = make_naming_options(options);
    result.progress = [&out](const migration_event& event) {
        if (event.migration_id.empty()) {
            out << event.message << "\n";
        } else {
            out << event.migration_id << ": " << event.message << "\n";
        }
        out.flush();
    };
    return result;
}

boost::asio::awaitable<int> migrate(client db, std::vector<migration> migrations,
                                    migration_options options, std::ostream& out, std::ostream& err)
{
    migration_report report;
    error_code failure;
    std::string message;
    try {
        report = co_await run_migrations(std::move(db), std::move(migrations), std::move(options));
    } catch (const dynomite::error& e) {
        failure = e.code();
        // Messages of our own are whole sentences; a server's error reads best as what() says it.
        message =
            (e.diag().aws_type.empty() && !e.diag().message.empty()) ? e.diag().message : e.what();
    }
    if (failure == migration_errc::blocked) {
        err << "dynomite: " << message << "\n";
        co_return exit_blocked;
    }
    if (failure) {
        err << "dynomite: " << message << "\n";
        if (failure == migration_errc::migration_failed) {
            err << "It is recorded as error; fix it, then run `dynomite migrate --clear-errors`.\n";
        }
        co_return exit_failure;
    }
    if (!report.cleared.empty())
        out << "Cleared " << report.cleared.size() << " recorded state(s).\n";
    for (const std::string& adopted : report.adopted) {
        out << "Adopted the existing table of " << adopted << ".\n";
    }
    out << "Applied " << report.applied.size() << " migration(s); " << report.skipped.size()
        << " already complete.\n";
    co_return exit_ok;
}

boost::asio::awaitable<int> show_status(client db, std::vector<migration> migrations,
                                        migration_options options, std::ostream& out)
{
    const auto records = co_await read_migration_records(std::move(db), options);
    struct row {
        std::string name;
        std::string status = "pending";
        std::string time;
        std::string error;
    };
    std::map<std::string, row> rows;
    for (const migration& m : migrations) rows[m.version].name = m.name;
    for (const migration_record& record : records) {
        row& r = rows[record.version];
        if (r.name.empty()) r.name = record.name + " (no file)";
        r.status = std::string(to_string(record.status));
        if (record.time_taken_ms) r.time = std::to_string(*record.time_taken_ms) + " ms";
        r.error = record.error_message;
    }
    if (rows.empty()) {
        out << "No migrations.\n";
        co_return exit_ok;
    }
    out << std::left << std::setw(16) << "VERSION" << std::setw(12) << "STATUS" << std::setw(10)
        << "TIME"
        << "NAME\n";
    for (const auto& [version, r] : rows) {
        out << std::setw(16) << version << std::setw(12) << r.status << std::setw(10) << r.time
            << r.name << "\n";
        if (!r.error.empty()) out << "    " << r.error << "\n";
    }
    co_return exit_ok;
}

}  // namespace

int run_migrate(const global_options& options, const std::vector<std::string>& args,
                std::ostream& out, std::ostream& err)
{
    migrate_arguments parsed;
    std::string why;
    if (!parse_migrate_arguments(args, parsed, why)) {
        err << "dynomite migrate: " << why << "\nRun `dynomite migrate --help` for the options.\n";
        return exit_usage;
    }
    if (parsed.help) {
        out << migrate_help;
        return exit_ok;
    }
    std::vector<migration> migrations;
    if (error_code ec = load_migrations(parsed.path, migrations, &why)) {
        err << "dynomite migrate: " << why << "\n";
        return exit_failure;
    }
    migration_options migrate_options = options_for(options, out);
    migrate_options.clear_errors = parsed.clear_errors;
    if (parsed.status) {
        return run_with_client(options, err, [&](client db) {
            return show_status(std::move(db), std::move(migrations), std::move(migrate_options),
                               out);
        });
    }
    return run_with_client(options, err, [&](client db) {
        return migrate(std::move(db), std::move(migrations), std::move(migrate_options), out, err);
    });
}

}  // namespace dynomite::cli
