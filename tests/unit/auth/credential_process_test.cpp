// credential_process commands that behave: shell scripts that answer, hang, flood, print
// garbage or fail, and what the provider makes of each.
#include <dynomite/auth/default_chain.hpp>
#include <dynomite/auth/profile_sources.hpp>

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace {

using namespace dynomite;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class credential_process_test : public ::testing::Test {
protected:
    fs::path dir = fs::temp_directory_path() /
                   ("dynomite-process-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    asio::io_context io;

    void SetUp() override { fs::create_directories(dir); }
    void TearDown() override { fs::remove_all(dir); }

    /// An executable script in the test's directory; returns its path.
    std::string script(const std::string& name, const std::string& body)
    {
        const fs::path path = dir / name;
        std::ofstream(path) << "#!/bin/sh\n" << body;
        ::chmod(path.c_str(), 0700);
        return path.string();
    }

    struct result {
        error_code ec;
        credentials creds;
        diagnostics diag;
    };

    result run(const std::string& command, credential_process_limits limits = {})
    {
        auto provider =
            std::make_shared<process_credentials_provider>(io.get_executor(), command, limits);
        result r;
        provider->async_get_credentials(r.diag, [&](error_code ec, credentials c) {
            r.ec = ec;
            r.creds = std::move(c);
        });
        io.restart();
        io.run();
        return r;
    }
};

TEST_F(credential_process_test, version_one_with_an_expiration)
{
    const auto r = run(script("ok.sh", R"(cat <<'END'
{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "proc-secret",
 "SessionToken": "proc-token", "Expiration": "2099-12-04T23:15:30Z"}
END
)"));
    ASSERT_FALSE(r.ec) << r.diag.message;
    EXPECT_EQ(r.creds.access_key_id, "ASIAPROC");
    EXPECT_EQ(r.creds.session_token, "proc-token");
    ASSERT_TRUE(r.creds.expiration);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(
                  r.creds.expiration->time_since_epoch())
                  .count(),
              4100109330);  // date -u -d 2099-12-04T23:15:30Z +%s
}

TEST_F(credential_process_test, other_versions_and_bad_expirations_are_refused)
{
    auto r = run(script("v2.sh", R"(echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}')"));
    EXPECT_EQ(r.ec, errc::malformed_response);
    EXPECT_NE(r.diag.message.find("\"Version\" is not 1"), std::string::npos) << r.diag.message;
    r = run(script("noversion.sh", R"(echo '{"AccessKeyId": "A", "SecretAccessKey": "s"}')"));
    EXPECT_EQ(r.ec, errc::malformed_response);
    r = run(script("when.sh",
                   R"(echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "tomorrow"}')"));
    EXPECT_EQ(r.ec, errc::malformed_response);
    EXPECT_NE(r.diag.message.find("Expiration"), std::string::npos) << r.diag.message;
}

TEST_F(credential_process_test, a_hanging_command_is_killed_with_its_children)
{
    const std::string child_pid = (dir / "child.pid").string();
    const auto r = run(script("hang.sh", "echo 'waiting for the identity provider' >&2\n"
                                         "sleep 30 &\necho $! > " + child_pid + "\nsleep 30\n"),
                       {200ms, 64 * 1024});
    EXPECT_EQ(r.ec, errc::request_timeout);
    EXPECT_NE(r.diag.message.find("did not finish within 200 ms and was killed; its standard "
                                  "error: waiting for the identity provider"),
              std::string::npos)
        << r.diag.message;
    // The background child was in the killed group: it is gone (or a zombie awaiting init).
    int pid = 0;
    std::ifstream(child_pid) >> pid;
    ASSERT_GT(pid, 0);
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {
        std::string name, state;
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string pid_field;
        gone = !(stat >> pid_field >> name >> state) || state == "Z";
        if (!gone) std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(gone) << "process " << pid << " still runs";
}

TEST_F(credential_process_test, a_command_that_closes_its_output_and_keeps_running_is_killed)
{
    const auto r = run(script("closed.sh", "exec >&- 2>&-\nsleep 30\n"), {200ms, 64 * 1024});
    EXPECT_EQ(r.ec, errc::request_timeout);
}

TEST_F(credential_process_test, output_beyond_the_cap_is_refused)
{
    const auto r = run(script("flood.sh", "yes proc-secret\n"), {10s, 4096});
    EXPECT_EQ(r.ec, errc::response_too_large);
    EXPECT_NE(r.diag.message.find("wrote more than 4096 bytes"), std::string::npos)
        << r.diag.message;
    EXPECT_EQ(r.diag.message.find("proc-secret"), std::string::npos);
}

TEST_F(credential_process_test, garbage_output_is_refused_without_quoting_it)
{
    const auto r = run(script("garbage.sh", "printf 'proc-secret \\001\\002 not json'\n"));
    EXPECT_EQ(r.ec, errc::malformed_response);
    EXPECT_NE(r.diag.message.find("its output: the answer is not a JSON object"),
              std::string::npos)
        << r.diag.message;
    EXPECT_EQ(r.diag.message.find("proc-secret"), std::string::npos);
}

TEST_F(credential_process_test, a_failing_command_shows_its_standard_error_truncated)
{
    auto r = run(script("fail.sh", "echo proc-secret\necho 'token expired, run sso login' >&2\nexit 3\n"));
    EXPECT_EQ(r.ec, errc::no_credentials);
    EXPECT_EQ(r.diag.message, "credential_process \"" + (dir / "fail.sh").string() +
                                  "\" exited with status 3; its standard error: token expired, "
                                  "run sso login");

    r = run(script("long.sh", "head -c 5000 /dev/zero | tr '\\0' e >&2\nexit 1\n"));
    EXPECT_EQ(r.ec, errc::no_credentials);
    EXPECT_NE(r.diag.message.find("its standard error: " + std::string(1024, 'e') + " [truncated]"),
              std::string::npos)
        << r.diag.message.size();

    r = run("kill -TERM $$");
    EXPECT_EQ(r.ec, errc::no_credentials);
    EXPECT_NE(r.diag.message.find("was killed by signal 15"), std::string::npos) << r.diag.message;
}

TEST_F(credential_process_test, the_chain_passes_its_limits_to_the_profile_command)
{
    std::ofstream(dir / "config") << "[default]\ncredential_process = " +
                                         script("slow.sh", "sleep 30\n") + "\n";
    credential_chain_options options;
    options.env = environment::from_map({{"HOME", dir.string()},
                                         {"AWS_CONFIG_FILE", (dir / "config").string()},
                                         {"AWS_SHARED_CREDENTIALS_FILE", (dir / "none").string()},
                                         {"AWS_EC2_METADATA_DISABLED", "true"}});
    options.credential_process.timeout = 100ms;
    auto chain = make_default_credentials_chain(io.get_executor(), options);
    diagnostics diag;
    error_code got;
    chain->async_get_credentials(diag, [&](error_code ec, credentials) { got = ec; });
    io.run();
    EXPECT_EQ(got, errc::request_timeout) << diag.message;
    EXPECT_NE(diag.message.find("did not finish within 100 ms"), std::string::npos) << diag.message;
}

}  // namespace
