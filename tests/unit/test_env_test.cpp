#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using dynomite::test::detail::run_endpoint_command;
using dynomite::test::detail::shell_quote;

// Restores the variables a test changes.
class saved_environment {
public:
    explicit saved_environment(std::vector<std::string> names) : names_(std::move(names))
    {
        for (const auto& name : names_) {
            const char* value = std::getenv(name.c_str());
            values_.push_back(value ? std::optional<std::string>(value) : std::nullopt);
        }
    }
    saved_environment(const saved_environment&) = delete;
    saved_environment& operator=(const saved_environment&) = delete;
    ~saved_environment()
    {
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (values_[i]) {
                ::setenv(names_[i].c_str(), values_[i]->c_str(), 1);
            } else {
                ::unsetenv(names_[i].c_str());
            }
        }
    }

private:
    std::vector<std::string> names_;
    std::vector<std::optional<std::string>> values_;
};

std::string env_or_none(const char* name)
{
    const char* value = std::getenv(name);
    return value ? value : "<unset>";
}

std::string message_of(const std::string& command)
{
    try {
        run_endpoint_command(command);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "`" << command << "` did not throw";
    return {};
}

TEST(IntegrationEndpoint, IsDynomiteEndpointWhenSet)
{
    // The first call in this process decides; DynamoDB Local must then not be started.
    saved_environment saved({"DYNOMITE_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                             "AWS_REGION", "AWS_DEFAULT_REGION"});
    ::setenv("DYNOMITE_ENDPOINT", "http://127.0.0.1:1/", 1);
    ::unsetenv("AWS_ACCESS_KEY_ID");
    EXPECT_EQ(dynomite::test::integration_endpoint(), "http://127.0.0.1:1/");
    EXPECT_EQ(env_or_none("AWS_ACCESS_KEY_ID"), dynomite::test::test_access_key_id);
    ::setenv("DYNOMITE_ENDPOINT", "http://127.0.0.1:2/", 1);
    EXPECT_EQ(dynomite::test::integration_endpoint(), "http://127.0.0.1:1/");
}

TEST(EnsureTestCredentials, SetsOnlyWhatIsUnsetOrEmpty)
{
    saved_environment saved(
        {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"});
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDUSER", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "", 1);
    ::unsetenv("AWS_REGION");
    ::unsetenv("AWS_DEFAULT_REGION");
    dynomite::test::ensure_test_credentials();
    EXPECT_EQ(env_or_none("AWS_ACCESS_KEY_ID"), "AKIDUSER");
    EXPECT_EQ(env_or_none("AWS_SECRET_ACCESS_KEY"), dynomite::test::test_secret_access_key);
    EXPECT_EQ(env_or_none("AWS_REGION"), dynomite::test::test_region);
}

TEST(EnsureTestCredentials, KeepsTheDefaultRegion)
{
    saved_environment saved({"AWS_REGION", "AWS_DEFAULT_REGION"});
    ::unsetenv("AWS_REGION");
    ::setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
    dynomite::test::ensure_test_credentials();
    EXPECT_EQ(env_or_none("AWS_REGION"), "<unset>");
    EXPECT_EQ(env_or_none("AWS_DEFAULT_REGION"), "eu-west-3");
}

TEST(UniqueTableName, HasPrefixPidCounterAndRandomHex)
{
    std::string name = dynomite::test::unique_table_name("orders");
    std::smatch match;
    ASSERT_TRUE(std::regex_match(name, match, std::regex("orders-([0-9]+)-([0-9]+)-[0-9a-f]{8}")))
        << name;
    EXPECT_EQ(match[1].str(), std::to_string(::getpid()));

    std::string next = dynomite::test::unique_table_name("orders");
    std::smatch next_match;
    ASSERT_TRUE(std::regex_match(next, next_match, std::regex("orders-[0-9]+-([0-9]+)-.*")));
    EXPECT_EQ(std::stoul(next_match[1].str()), std::stoul(match[2].str()) + 1);
}

TEST(UniqueTableName, NeverRepeats)
{
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i) {
        names.insert(dynomite::test::unique_table_name("t.x_y-Z9"));
    }
    EXPECT_EQ(names.size(), 1000u);
}

TEST(UniqueTableName, RejectsCharactersDynamoDbDoesNotAllow)
{
    for (std::string prefix : {"has space", "slash/", "colon:", "caf\xc3\xa9"}) {
        EXPECT_THROW(dynomite::test::unique_table_name(prefix), std::invalid_argument) << prefix;
    }
    try {
        dynomite::test::unique_table_name("a#b");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("'#'"), std::string::npos) << e.what();
    }
}

TEST(UniqueTableName, RejectsPrefixesThatMakeNamesTooLong)
{
    EXPECT_LE(dynomite::test::unique_table_name(std::string(200, 'a')).size(), 255u);
    EXPECT_THROW(dynomite::test::unique_table_name(std::string(250, 'a')), std::invalid_argument);
}

TEST(ShellQuote, SurvivesTheShell)
{
    for (std::string text : {"plain", "it's", "two  spaces", "$HOME `id` \"q\" \\ *", ""}) {
        std::string echoed = run_endpoint_command("printf 'http://%s\\n' " + shell_quote(text));
        EXPECT_EQ(echoed, "http://" + text);
    }
}

TEST(RunEndpointCommand, ReturnsTheFirstLineAndIgnoresErrorOutput)
{
    EXPECT_EQ(run_endpoint_command("echo starting >&2; printf 'http://127.0.0.1:9\\r\\nmore\\n'"),
              "http://127.0.0.1:9");
    EXPECT_EQ(run_endpoint_command("echo https://db.example"), "https://db.example");
}

TEST(RunEndpointCommand, ReportsExitStatusAndErrorTail)
{
    std::string message = message_of("for i in $(seq 1 40); do echo \"line $i\" >&2; done; exit 3");
    EXPECT_NE(message.find("exited with status 3"), std::string::npos) << message;
    EXPECT_NE(message.find("line 40\n"), std::string::npos) << message;
    EXPECT_NE(message.find("line 11\n"), std::string::npos) << message;
    EXPECT_EQ(message.find("line 10\n"), std::string::npos) << message;
}

TEST(RunEndpointCommand, ReportsFailureEvenAfterPrintingUrl)
{
    std::string message = message_of("echo http://127.0.0.1:9; exit 1");
    EXPECT_NE(message.find("exited with status 1"), std::string::npos) << message;
    EXPECT_NE(message.find("wrote no error output"), std::string::npos) << message;
}

TEST(RunEndpointCommand, ReportsOutputThatIsNoUrl)
{
    std::string message = message_of("echo ready; echo 'java: not found' >&2");
    EXPECT_NE(message.find("printed no http:// or https:// URL"), std::string::npos) << message;
    EXPECT_NE(message.find("\"ready\""), std::string::npos) << message;
    EXPECT_NE(message.find("java: not found"), std::string::npos) << message;
}

TEST(RunEndpointCommand, ReportsDeathBySignal)
{
    std::string message = message_of("kill -9 $$");
    EXPECT_NE(message.find("killed by signal 9"), std::string::npos) << message;
}

}  // namespace
