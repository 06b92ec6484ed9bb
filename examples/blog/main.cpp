// A small blog on DynamoDB: users, posts and comments as models. Its tables come from the
// migrations in dynamodb/migrate/ (`dynomite migrate --path examples/blog/dynamodb/migrate`);
// this program only reads and writes items, so it can run again and again on the same tables.
//
// Configuration comes from the environment: DYNOMITE_ENDPOINT, AWS_REGION, the AWS
// credentials, and DYNOMITE_NAMESPACE (default "blog", so the tables are blog_users, ...).
#include "seed.hpp"
#include "tour.hpp"

#include <dynomite/client.hpp>
#include <dynomite/database.hpp>
#include <dynomite/model.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

namespace asio = boost::asio;

namespace {

constexpr std::size_t popular_comments = 300;
constexpr std::int32_t stream_page_size = 25;

asio::awaitable<void> run_blog(dynomite::client client, blog::run_summary& summary)
{
    const auto requests_before = client.stats();
    // Every read of the demo has an index; refusing scans proves it.
    dynomite::database_options options;
    options.scan_policy = dynomite::scan_policy::error;
    dynomite::database db(client, options);
    dynomite::set_default_database(db);

    const std::string run_id = blog::make_run_id();
    std::cout << "Run " << run_id << ": tables " << blog::User::table_name() << ", "
              << blog::Post::table_name() << ", " << blog::Comment::table_name() << " at "
              << client.endpoint_url() << '\n';

    std::cout << "\nWriting 2 users, 6 posts and " << popular_comments + 10
              << " comments (validations and callbacks run for each)\n";
    auto seeded = co_await blog::seed_blog(run_id, popular_comments);
    summary.comments_written = static_cast<std::int64_t>(seeded.comments);
    for (const auto& post : seeded.posts) std::cout << "  " << post.id << "  " << post.slug << '\n';

    co_await blog::show_indexed_reads(seeded);
    co_await blog::stream_comments(seeded, client, stream_page_size, summary);
    co_await blog::show_counts(seeded, summary);
    co_await blog::show_refused_writes(seeded, summary);
    co_await blog::show_post_changes(seeded, summary);

    const auto stats = client.stats();
    summary.requests = stats.requests - requests_before.requests;
    summary.retries = stats.retries - requests_before.retries;
}

void print_summary(const blog::run_summary& s)
{
    std::cout << "\nSummary\n"
              << "  users created:      " << s.users << '\n'
              << "  posts created:      " << s.posts << '\n'
              << "  comments created:   " << s.comments_written << '\n'
              << "  comments streamed:  " << s.comments_streamed << " in " << s.stream_requests
              << " requests of at most " << s.page_size << '\n'
              << "  comments counted:   " << s.popular_comment_count << " on the popular post\n"
              << "  writes refused:     " << s.refused_writes.size() << '\n'
              << "  post changes seen:  " << s.post_changes_seen << " in the stream\n"
              << "  DynamoDB requests:  " << s.requests << " (" << s.retries << " retries)\n";
}

}  // namespace

int main()
{
    if (!dynomite::process_environment_variable(dynomite::namespace_variable)) {
        dynomite::naming_options naming;
        naming.namespace_ = "blog";
        dynomite::set_model_naming(naming);
    }

    asio::io_context io;
    blog::run_summary summary;
    std::exception_ptr failure;
    try {
        dynomite::client client(io.get_executor());
        asio::co_spawn(io, run_blog(client, summary), [&](std::exception_ptr e) { failure = e; });
        io.run();
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const dynomite::error& e) {
            std::cerr << "blog: " << e.what() << '\n';
            if (!e.diag().message.empty()) std::cerr << "blog: " << e.diag().to_string() << '\n';
        } catch (const std::exception& e) {
            std::cerr << "blog: " << e.what() << '\n';
        }
        return EXIT_FAILURE;
    }
    print_summary(summary);
    return EXIT_SUCCESS;
}
