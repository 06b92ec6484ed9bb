#include <dynomite/auth/credentials.hpp>
#include "core/shared_config.hpp"
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/transport/endpoint.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

using namespace dynomite;
namespace fs = std::filesystem;
using variables = std::map<std::string, std::string, std::less<>>;

constexpr std::string_view secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view token = "FQoGZXIvYXdzEXAMPLETOKEN==";

// A private temporary directory per test, for credential and config files.
class files_test : public testing::Test {
protected:
    void SetUp() override
    {
        std::string pattern = (fs::temp_directory_path() / "dynomite-credentials-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override
    {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string write(const std::string& name, std::string_view content)
    {
        const fs::path path = dir_ / name;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
        return path.string();
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // Variables pointing both shared files into the temporary directory.
    variables files_env() const
    {
        return {{"AWS_SHARED_CREDENTIALS_FILE", path("credentials")},
                {"AWS_CONFIG_FILE", path("config")}};
    }

    fs::path dir_;
};

struct outcome {
    error_code ec;
    credentials creds;
    std::string why;
};

outcome resolve(const variables& vars, credentials_options options = {})
{
    outcome result;
    result.ec =
        resolve_credentials(options, environment::from_map(vars), result.creds, &result.why);
    return result;
}

// ---------------------------------------------------------------------------------------------
// credentials and environment

TEST(credentials, printable_form_is_redacted)
{
    const credentials creds{"AKIAIOSFODNN7EXAMPLE", std::string(secret), std::string(token)};
    const std::string text = creds.to_string();
    EXPECT_EQ(text,
              "credentials{access_key_id=AKIA****, secret_access_key=<redacted>, "
              "session_token=<redacted>}");
    EXPECT_EQ(text.find(secret), std::string::npos);
    EXPECT_EQ(text.find(token), std::string::npos);
    EXPECT_EQ(text.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);

    std::ostringstream stream;
    stream << creds;
    EXPECT_EQ(stream.str(), text);

    EXPECT_EQ(credentials{}.to_string(),
              "credentials{access_key_id=<none>, secret_access_key=<none>, session_token=<none>}");
    EXPECT_EQ((credentials{"AKIA", "s", ""}.to_string()),
              "credentials{access_key_id=****, secret_access_key=<redacted>, "
              "session_token=<none>}");
}

TEST(environment, from_map_and_empty_values)
{
    const environment env = environment::from_map({{"A", "1"}, {"EMPTY", ""}});
    EXPECT_EQ(env.get("A"), "1");
    EXPECT_EQ(env.get("B"), std::nullopt);
    EXPECT_EQ(env.get("EMPTY"), "");
    EXPECT_EQ(detail::lookup(env, "A"), "1");
    EXPECT_EQ(detail::lookup(env, "EMPTY"), std::nullopt);
    EXPECT_EQ(detail::lookup(env, "B"), std::nullopt);
}

TEST(environment, default_reads_the_process_environment)
{
    constexpr const char* name = "DYNOMITE_CREDENTIALS_TEST_VARIABLE";
    ASSERT_EQ(setenv(name, "value-1", 1), 0);
    EXPECT_EQ(process_environment_variable(name), "value-1");
    EXPECT_EQ(environment{}.get(name), "value-1");
    ASSERT_EQ(unsetenv(name), 0);
    EXPECT_EQ(process_environment_variable(name), std::nullopt);
    EXPECT_EQ(environment{}.get(name), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// INI parsing

TEST(shared_config, parses_the_aws_ini_dialect)
{
    const std::string_view text =
        "# a comment\r\n"
        "; another comment\n"
        "\n"
        "[ default ]   # trailing comment\n"
        "  AWS_Access_Key_ID   =   AKIDEXAMPLE   \n"
        "aws_secret_access_key=abc/def+ghi\n"
        "aws_session_token = tok==   ; inline comment\n"
        "region: us-west-2\n"
        "with_hash = a#b\n"
        "s3 =\n"
        "  max_concurrent_requests = 20\n"
        "  addressing_style = path\n"
        "output = json\r\n"
        "[profile dev]\n"
        "region = eu-west-1\n"
        "[default]\n"
        "region = us-east-2\n";
    detail::ini_document document;
    std::string why;
    ASSERT_FALSE(detail::parse_ini(text, "test.ini", document, &why)) << why;
    ASSERT_EQ(document.size(), 2u);
    const detail::ini_section& defaults = document.at("default");
    EXPECT_EQ(defaults.at("aws_access_key_id"), "AKIDEXAMPLE");
    EXPECT_EQ(defaults.at("aws_secret_access_key"), "abc/def+ghi");
    EXPECT_EQ(defaults.at("aws_session_token"), "tok==");
    EXPECT_EQ(defaults.at("region"), "us-east-2");  // the repeated section merged, later wins
    EXPECT_EQ(defaults.at("with_hash"), "a#b");
    EXPECT_EQ(defaults.at("s3"), "");
    EXPECT_FALSE(defaults.contains("max_concurrent_requests"));
    EXPECT_FALSE(defaults.contains("addressing_style"));
    EXPECT_EQ(defaults.at("output"), "json");
    EXPECT_EQ(document.at("profile dev").at("region"), "eu-west-1");
}

TEST(shared_config, indented_settings_after_a_valued_key_are_settings)
{
    detail::ini_document document;
    ASSERT_FALSE(detail::parse_ini("[default]\n  a = 1\n  b = 2\n", "x", document, nullptr));
    EXPECT_EQ(document.at("default").at("a"), "1");
    EXPECT_EQ(document.at("default").at("b"), "2");
}

TEST(shared_config, malformed_lines_name_source_and_line_without_quoting_them)
{
    const struct {
        std::string_view text;
        std::string_view expected;
    } cases[] = {
        {"[default\n", "f.ini:1: section header without a closing ']'"},
        {"\n[default] extra\n", "f.ini:2: unexpected text after the section header"},
        {"[ ]\n", "f.ini:1: empty section name"},
        {"aws_access_key_id = AKIDSECRETVALUE\n", "f.ini:1: setting before any [section] header"},
        {"[default]\naws_secret_access_key AKIDSECRETVALUE\n",
         "f.ini:2: expected \"[section]\" or \"key = value\""},
        {"[default]\n# c\n = AKIDSECRETVALUE\n", "f.ini:3: setting without a key"},
    };
    for (const auto& c : cases) {
        detail::ini_document document;
        std::string why;
        EXPECT_EQ(detail::parse_ini(c.text, "f.ini", document, &why), errc::invalid_configuration)
            << c.text;
        EXPECT_EQ(why, c.expected);
        EXPECT_EQ(why.find("AKIDSECRETVALUE"), std::string::npos);
    }
}

TEST(shared_config, find_profile_by_file_kind)
{
    detail::ini_document document;
    ASSERT_FALSE(
        detail::parse_ini("[default]\na=1\n[dev]\na=2\n[profile dev]\na=3\n"
                          "[profile   spaced  ]\na=4\n[profileless]\na=5\n",
                          "x", document, nullptr));
    using detail::find_profile;
    using detail::shared_file_kind;
    EXPECT_EQ(find_profile(document, "default", shared_file_kind::credentials)->at("a"), "1");
    EXPECT_EQ(find_profile(document, "dev", shared_file_kind::credentials)->at("a"), "2");
    EXPECT_EQ(find_profile(document, "default", shared_file_kind::config)->at("a"), "1");
    EXPECT_EQ(find_profile(document, "dev", shared_file_kind::config)->at("a"), "3");
    EXPECT_EQ(find_profile(document, "spaced", shared_file_kind::config)->at("a"), "4");
    EXPECT_EQ(find_profile(document, "less", shared_file_kind::config), nullptr);
    EXPECT_EQ(find_profile(document, "missing", shared_file_kind::config), nullptr);
    EXPECT_EQ(find_profile(document, "missing", shared_file_kind::credentials), nullptr);

    detail::ini_document config;
    ASSERT_FALSE(detail::parse_ini("[profile default]\na=6\n", "x", config, nullptr));
    EXPECT_EQ(find_profile(config, "default", shared_file_kind::config)->at("a"), "6");
    EXPECT_EQ(find_profile(config, "default", shared_file_kind::credentials), nullptr);
}

TEST(shared_config, find_setting_treats_empty_as_absent)
{
    const detail::ini_section section{{"a", "1"}, {"b", ""}};
    EXPECT_EQ(detail::find_setting(section, "a"), "1");
    EXPECT_EQ(detail::find_setting(section, "b"), std::nullopt);
    EXPECT_EQ(detail::find_setting(section, "c"), std::nullopt);
}

TEST(shared_config, locate_shared_files)
{
    auto paths = detail::locate_shared_files(environment::from_map({{"HOME", "/home/u"}}));
    EXPECT_EQ(paths.credentials, "/home/u/.aws/credentials");
    EXPECT_EQ(paths.config, "/home/u/.aws/config");

    paths = detail::locate_shared_files(environment::from_map(
        {{"HOME", "/home/u"}, {"AWS_SHARED_CREDENTIALS_FILE", "~/c"}, {"AWS_CONFIG_FILE", "/x"}}));
    EXPECT_EQ(paths.credentials, "/home/u/c");
    EXPECT_EQ(paths.config, "/x");

    paths = detail::locate_shared_files(environment::from_map({{"AWS_CONFIG_FILE", "~/x"}}));
    EXPECT_EQ(paths.credentials, "");
    EXPECT_EQ(paths.config, "~/x");
}

TEST(shared_config, choose_profile)
{
    const environment with_variable = environment::from_map({{"AWS_PROFILE", "env"}});
    const environment without = environment::from_map({});
    auto choice = detail::choose_profile("opt", with_variable);
    EXPECT_EQ(choice.name, "opt");
    EXPECT_TRUE(choice.named);
    choice = detail::choose_profile("", with_variable);
    EXPECT_EQ(choice.name, "env");
    EXPECT_EQ(choice.origin, "AWS_PROFILE");
    EXPECT_TRUE(choice.named);
    choice = detail::choose_profile("", without);
    EXPECT_EQ(choice.name, "default");
    EXPECT_FALSE(choice.named);
}

TEST_F(files_test, load_ini_file)
{
    std::optional<detail::ini_document> document;
    std::string why;
    EXPECT_FALSE(detail::load_ini_file(path("absent"), document, &why));
    EXPECT_FALSE(document.has_value());

    write("good", "[default]\na = 1\n");
    ASSERT_FALSE(detail::load_ini_file(path("good"), document, &why)) << why;
    ASSERT_TRUE(document.has_value());
    EXPECT_EQ(document->at("default").at("a"), "1");

    write("bad", "[default]\nnonsense\n");
    EXPECT_EQ(detail::load_ini_file(path("bad"), document, &why), errc::invalid_configuration);
    EXPECT_EQ(why, path("bad") + ":2: expected \"[section]\" or \"key = value\"");
    EXPECT_FALSE(document.has_value());

    fs::create_directories(path("a-directory"));
    EXPECT_EQ(detail::load_ini_file(path("a-directory"), document, &why),
              errc::invalid_configuration);
    EXPECT_EQ(why, "cannot read " + path("a-directory") + ": not a readable regular file");
}

// ---------------------------------------------------------------------------------------------
// resolve_credentials

TEST_F(files_test, explicit_credentials_win)
{
    write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = F\n");
    variables vars = files_env();
    vars["AWS_ACCESS_KEY_ID"] = "ENV";
    vars["AWS_SECRET_ACCESS_KEY"] = "E";
    const credentials given{"EXPLICIT", "X", "T"};
    const outcome result = resolve(vars, {given, ""});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds, given);
}

TEST(resolve_credentials, explicit_credentials_must_be_complete)
{
    outcome result = resolve({}, {credentials{"", "X", ""}, ""});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "the explicit credentials have an empty access_key_id");
    result = resolve({}, {credentials{"ID", "", ""}, ""});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "the explicit credentials have an empty secret_access_key");
}

TEST_F(files_test, environment_comes_before_files)
{
    write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = F\n");
    variables vars = files_env();
    vars["AWS_ACCESS_KEY_ID"] = "ENVID";
    vars["AWS_SECRET_ACCESS_KEY"] = std::string(secret);
    outcome result = resolve(vars);
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds, (credentials{"ENVID", std::string(secret), ""}));

    vars["AWS_SESSION_TOKEN"] = std::string(token);
    result = resolve(vars);
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.session_token, token);
}

TEST_F(files_test, empty_environment_values_count_as_unset)
{
    write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = F\n");
    variables vars = files_env();
    vars["AWS_ACCESS_KEY_ID"] = "";
    vars["AWS_SECRET_ACCESS_KEY"] = "";
    const outcome result = resolve(vars);
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "FILE");
}

TEST(resolve_credentials, half_set_environment_is_an_error)
{
    outcome result = resolve({{"AWS_ACCESS_KEY_ID", "AKIDVISIBLE"}});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

    result = resolve({{"AWS_SECRET_ACCESS_KEY", std::string(secret)}});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    EXPECT_EQ(result.why.find(secret), std::string::npos);
}

TEST_F(files_test, default_profile_from_the_credentials_file)
{
    write("credentials",
          "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = " +
              std::string(secret) + "\naws_session_token = " + std::string(token) +
              "\n[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = O\n");
    const outcome result = resolve(files_env());
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds, (credentials{"AKIDDEFAULT", std::string(secret), std::string(token)}));
}

TEST_F(files_test, profile_from_options_or_aws_profile)
{
    write("credentials",
          "[default]\naws_access_key_id = D\naws_secret_access_key = d\n"
          "[env]\naws_access_key_id = E\naws_secret_access_key = e\n"
          "[opt]\naws_access_key_id = O\naws_secret_access_key = o\n");
    variables vars = files_env();
    vars["AWS_PROFILE"] = "env";
    outcome result = resolve(vars);
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "E");

    result = resolve(vars, {std::nullopt, "opt"});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "O");
}

TEST_F(files_test, config_file_profiles)
{
    write("config",
          "[default]\naws_access_key_id = CD\naws_secret_access_key = cd\n"
          "[profile dev]\naws_access_key_id = CDEV\naws_secret_access_key = cdev\n"
          "aws_session_token = ctok\n"
          "[prod]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n");
    outcome result = resolve(files_env());
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds, (credentials{"CD", "cd", ""}));

    result = resolve(files_env(), {std::nullopt, "dev"});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds, (credentials{"CDEV", "cdev", "ctok"}));

    // In the config file a profile other than default needs the "profile " prefix.
    result = resolve(files_env(), {std::nullopt, "prod"});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
}

TEST_F(files_test, credentials_file_takes_precedence_over_config)
{
    write("credentials", "[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = a\n");
    write("config", "[profile dev]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = b\n");
    const outcome result = resolve(files_env(), {std::nullopt, "dev"});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "FROMCREDS");
}

TEST_F(files_test, profile_without_keys_in_credentials_falls_back_to_config)
{
    write("credentials", "[dev]\nregion = us-east-1\n");
    write("config", "[profile dev]\naws_access_key_id = FROMCONFIG\naws_secret_access_key = b\n");
    const outcome result = resolve(files_env(), {std::nullopt, "dev"});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "FROMCONFIG");
}

TEST_F(files_test, files_under_home)
{
    write(".aws/credentials", "[default]\naws_access_key_id = HOMEID\naws_secret_access_key = h\n");
    const outcome result = resolve({{"HOME", dir_.string()}});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "HOMEID");
}

TEST_F(files_test, tilde_in_the_file_variable)
{
    write("mine/creds", "[default]\naws_access_key_id = TILDE\naws_secret_access_key = t\n");
    const outcome result =
        resolve({{"HOME", dir_.string()}, {"AWS_SHARED_CREDENTIALS_FILE", "~/mine/creds"}});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.creds.access_key_id, "TILDE");
}

TEST_F(files_test, named_profile_that_does_not_exist)
{
    write("credentials", "[default]\naws_access_key_id = D\naws_secret_access_key = d\n");
    variables vars = files_env();
    vars["AWS_PROFILE"] = "ghost";
    outcome result = resolve(vars);
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "profile \"ghost\" (from AWS_PROFILE) is in neither " +
                              path("credentials") + " nor " + path("config"));

    result = resolve(files_env(), {std::nullopt, "phantom"});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_NE(result.why.find("profile \"phantom\" (from the options)"), std::string::npos);
}

TEST_F(files_test, nothing_found_lists_where_it_looked)
{
    write("config", "[default]\nregion = us-east-1\n");
    const outcome result = resolve(files_env());
    EXPECT_EQ(result.ec, errc::no_credentials);
    EXPECT_EQ(result.why,
              "no AWS credentials found; looked in: explicit settings (none given), the "
              "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set), profile "
              "\"default\" in " +
                  path("credentials") + " (absent) and " + path("config") +
                  " (profile \"default\" has no access keys)");
}

TEST_F(files_test, nothing_found_with_the_profile_missing_from_existing_files)
{
    write("credentials", "[other]\naws_access_key_id = O\naws_secret_access_key = o\n");
    write("config", "[profile other]\nregion = us-east-1\n");
    const outcome result = resolve(files_env());
    EXPECT_EQ(result.ec, errc::no_credentials);
    EXPECT_NE(result.why.find(path("credentials") + " (no profile \"default\") and " +
                              path("config") + " (no profile \"default\")"),
              std::string::npos)
        << result.why;
}

TEST(resolve_credentials, nothing_found_without_home)
{
    const outcome result = resolve({});
    EXPECT_EQ(result.ec, errc::no_credentials);
    EXPECT_NE(result.why.find("the shared credentials file (neither its variable nor HOME is set) "
                              "and the shared config file (neither its variable nor HOME is set)"),
              std::string::npos)
        << result.why;
}

TEST_F(files_test, unsupported_credential_sources_are_mentioned)
{
    write("config",
          "[profile assume]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
          "source_profile = default\n");
    const outcome result = resolve(files_env(), {std::nullopt, "assume"});
    EXPECT_EQ(result.ec, errc::no_credentials);
    EXPECT_NE(result.why.find("(profile \"assume\" has no access keys; it uses role_arn, which is "
                              "not supported)"),
              std::string::npos)
        << result.why;
}

TEST_F(files_test, half_a_key_pair_in_a_profile)
{
    write("credentials", "[default]\naws_access_key_id = AKIDVISIBLEID\n");
    outcome result = resolve(files_env());
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "profile \"default\" in " + path("credentials") +
                              " has aws_access_key_id but no aws_secret_access_key");
    EXPECT_EQ(result.why.find("AKIDVISIBLEID"), std::string::npos);

    write("credentials", "[default]\naws_secret_access_key = " + std::string(secret) + "\n");
    result = resolve(files_env());
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "profile \"default\" in " + path("credentials") +
                              " has aws_secret_access_key but no aws_access_key_id");
    EXPECT_EQ(result.why.find(secret), std::string::npos);
}

TEST_F(files_test, malformed_or_unreadable_files)
{
    write("credentials", "[default]\naws_secret_access_key " + std::string(secret) + "\n");
    outcome result = resolve(files_env());
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, path("credentials") + ":2: expected \"[section]\" or \"key = value\"");
    EXPECT_EQ(result.why.find(secret), std::string::npos);

    fs::remove(path("credentials"));
    fs::create_directories(path("credentials"));
    result = resolve(files_env());
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "cannot read " + path("credentials") + ": not a readable regular file");
}

TEST_F(files_test, throwing_resolve_credentials)
{
    write("credentials", "[default]\naws_access_key_id = T\naws_secret_access_key = t\n");
    EXPECT_EQ(resolve_credentials({}, environment::from_map(files_env())).access_key_id, "T");
    try {
        resolve_credentials({}, environment::from_map({}));
        FAIL() << "expected dynomite::error";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::no_credentials);
        EXPECT_NE(std::string(e.what()).find("no AWS credentials found"), std::string::npos);
    }
}

// ---------------------------------------------------------------------------------------------
// resolve_region

struct region_outcome {
    error_code ec;
    std::string region;
    std::string why;
};

region_outcome region_of(const variables& vars, std::optional<std::string> explicit_region = {},
                         std::string_view profile = {})
{
    region_outcome result;
    result.ec = resolve_region(std::move(explicit_region), profile, environment::from_map(vars),
                               result.region, &result.why);
    return result;
}

TEST_F(files_test, region_precedence)
{
    write("config", "[default]\nregion = ap-south-1\n");
    variables vars = files_env();
    EXPECT_EQ(region_of(vars).region, "ap-south-1");
    vars["AWS_DEFAULT_REGION"] = "eu-north-1";
    EXPECT_EQ(region_of(vars).region, "eu-north-1");
    vars["AWS_REGION"] = "us-west-1";
    EXPECT_EQ(region_of(vars).region, "us-west-1");
    EXPECT_EQ(region_of(vars, "sa-east-1").region, "sa-east-1");
}

TEST_F(files_test, region_from_the_chosen_profile)
{
    write("config",
          "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-3\n"
          "[profile ops]\nregion = ca-central-1\n");
    variables vars = files_env();
    vars["AWS_PROFILE"] = "dev";
    EXPECT_EQ(region_of(vars).region, "eu-west-3");
    EXPECT_EQ(region_of(vars, std::nullopt, "ops").region, "ca-central-1");
}

TEST_F(files_test, region_is_not_read_from_the_credentials_file)
{
    write("credentials", "[default]\nregion = us-east-1\n");
    const region_outcome result = region_of(files_env());
    EXPECT_EQ(result.ec, errc::no_region);
    EXPECT_EQ(result.why,
              "no AWS region configured; looked in: the explicit setting (none given), AWS_REGION "
              "and AWS_DEFAULT_REGION (not set), profile \"default\" in " +
                  path("config") + " (absent)");
}

TEST_F(files_test, no_region_messages)
{
    write("config", "[default]\noutput = json\n");
    region_outcome result = region_of(files_env());
    EXPECT_EQ(result.ec, errc::no_region);
    EXPECT_NE(result.why.find(path("config") + " (profile \"default\" has no region setting)"),
              std::string::npos)
        << result.why;

    result = region_of(files_env(), std::nullopt, "dev");
    EXPECT_EQ(result.ec, errc::no_region);
    EXPECT_NE(result.why.find(path("config") + " (no profile \"dev\")"), std::string::npos)
        << result.why;

    result = region_of({});
    EXPECT_EQ(result.ec, errc::no_region);
    EXPECT_NE(result.why.find("the shared config file (neither AWS_CONFIG_FILE nor HOME is set)"),
              std::string::npos)
        << result.why;
}

TEST_F(files_test, invalid_region_values)
{
    region_outcome result = region_of({}, "US East");
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why,
              "region \"US East\" from the explicit setting is not a valid region name");

    result = region_of({}, "");
    EXPECT_EQ(result.ec, errc::invalid_configuration);

    result = region_of({{"AWS_REGION", "us-east-1/x"}});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "region \"us-east-1/x\" from AWS_REGION is not a valid region name");

    write("config", "[default]\nregion = eu_west_1\n");
    result = region_of(files_env());
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "region \"eu_west_1\" from profile \"default\" in " + path("config") +
                              " is not a valid region name");
}

TEST_F(files_test, malformed_config_fails_region_resolution)
{
    write("config", "region = us-east-1\n");
    const region_outcome result = region_of(files_env());
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, path("config") + ":1: setting before any [section] header");
}

TEST(resolve_region, throwing_variant)
{
    EXPECT_EQ(
        resolve_region(std::nullopt, "", environment::from_map({{"AWS_REGION", "eu-west-2"}})),
        "eu-west-2");
    try {
        resolve_region(std::nullopt, "", environment::from_map({}));
        FAIL() << "expected dynomite::error";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::no_region);
        EXPECT_NE(std::string(e.what()).find("no AWS region configured"), std::string::npos);
    }
}

// ---------------------------------------------------------------------------------------------
// Endpoints

endpoint parsed(std::string_view url)
{
    endpoint out;
    std::string why;
    EXPECT_FALSE(parse_endpoint(url, out, &why)) << url << ": " << why;
    return out;
}

TEST(parse_endpoint, accepted_urls)
{
    EXPECT_EQ(parsed("https://dynamodb.us-east-1.amazonaws.com"),
              (endpoint{true, "dynamodb.us-east-1.amazonaws.com", 443,
                        "dynamodb.us-east-1.amazonaws.com"}));
    EXPECT_EQ(parsed("http://localhost:8000/"),
              (endpoint{false, "localhost", 8000, "localhost:8000"}));
    EXPECT_EQ(parsed("http://localhost"), (endpoint{false, "localhost", 80, "localhost"}));
    EXPECT_EQ(parsed("http://localhost:80"), (endpoint{false, "localhost", 80, "localhost"}));
    EXPECT_EQ(parsed("https://example.com:443/"),
              (endpoint{true, "example.com", 443, "example.com"}));
    EXPECT_EQ(parsed("https://example.com:80"),
              (endpoint{true, "example.com", 80, "example.com:80"}));
    EXPECT_EQ(parsed("HTTPS://Example.com:8443"),
              (endpoint{true, "Example.com", 8443, "Example.com:8443"}));
    EXPECT_EQ(parsed("http://127.0.0.1:8000"),
              (endpoint{false, "127.0.0.1", 8000, "127.0.0.1:8000"}));
    EXPECT_EQ(parsed("http://[::1]:8000"), (endpoint{false, "::1", 8000, "[::1]:8000"}));
    EXPECT_EQ(parsed("https://[2001:db8::1]/"),
              (endpoint{true, "2001:db8::1", 443, "[2001:db8::1]"}));
    EXPECT_EQ(parsed("http://localhost:/"), (endpoint{false, "localhost", 80, "localhost"}));
    EXPECT_EQ(parsed("http://localhost:65535"),
              (endpoint{false, "localhost", 65535, "localhost:65535"}));
}

TEST(parse_endpoint, rejected_urls)
{
    const struct {
        std::string_view url;
        std::string_view message;
    } cases[] = {
        {"ftp://example.com", "endpoint URL scheme \"ftp\" is not http or https"},
        {"localhost:8000", "endpoint URL scheme \"localhost\" is not http or https"},
        {"example.com",
         "endpoint URL is not an absolute URL such as https://host or "
         "http://host:port"},
        {"", "endpoint URL is not an absolute URL such as https://host or http://host:port"},
        {"https://user:hunter2@example.com", "endpoint URL must not contain user information"},
        {"https://@example.com", "endpoint URL must not contain user information"},
        {"http:///", "endpoint URL has no host"},
        {"http:/path", "endpoint URL has no host"},
        {"https://example.com/?a=1", "endpoint URL must not have a query"},
        {"https://example.com?", "endpoint URL must not have a query"},
        {"https://example.com#top", "endpoint URL must not have a fragment"},
        {"https://exa%6Dple.com", "endpoint URL host must not be percent-encoded"},
        {"https://[v1.x]", "endpoint URL host \"[v1.x]\" is not a name or IP address"},
        {"https://example.com:0", "endpoint URL port \"0\" is not in 1..65535"},
        {"https://example.com:65536", "endpoint URL port \"65536\" is not in 1..65535"},
        {"https://example.com:99999999999999999999999",
         "endpoint URL port \"99999999999999999999999\" is not in 1..65535"},
    };
    for (const auto& c : cases) {
        endpoint out{false, "unchanged", 1, "unchanged"};
        std::string why;
        EXPECT_EQ(parse_endpoint(c.url, out, &why), errc::invalid_endpoint) << c.url;
        EXPECT_EQ(why, c.message) << c.url;
        EXPECT_EQ(out.host, "unchanged") << c.url;
        EXPECT_EQ(why.find("hunter2"), std::string::npos);
    }
}

TEST(parse_endpoint, throwing_variant)
{
    EXPECT_EQ(parse_endpoint("http://localhost:8000").port, 8000);
    try {
        parse_endpoint("ftp://x");
        FAIL() << "expected dynomite::error";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::invalid_endpoint);
        EXPECT_NE(std::string(e.what()).find("not http or https"), std::string::npos);
    }
}

TEST(endpoint_defaults, default_endpoint_url_and_region_names)
{
    EXPECT_EQ(default_endpoint_url("us-east-1"), "https://dynamodb.us-east-1.amazonaws.com");
    EXPECT_EQ(default_endpoint_url("cn-north-1"), "https://dynamodb.cn-north-1.amazonaws.com.cn");
    EXPECT_EQ(default_endpoint_url("cn-northwest-1"),
              "https://dynamodb.cn-northwest-1.amazonaws.com.cn");
    EXPECT_TRUE(is_valid_region_name("us-gov-west-1"));
    EXPECT_FALSE(is_valid_region_name(""));
    EXPECT_FALSE(is_valid_region_name("US-EAST-1"));
    EXPECT_FALSE(is_valid_region_name("us.east"));
}

struct endpoint_outcome {
    error_code ec;
    endpoint where;
    std::string why;
};

endpoint_outcome endpoint_of(std::optional<std::string> url, std::string_view region,
                             const variables& vars)
{
    endpoint_outcome result;
    result.ec = resolve_endpoint(std::move(url), region, environment::from_map(vars), result.where,
                                 &result.why);
    return result;
}

TEST(resolve_endpoint, precedence)
{
    const variables vars{{"DYNOMITE_ENDPOINT", "http://localhost:8000"}};
    endpoint_outcome result = endpoint_of("https://explicit.example.com", "us-east-1", vars);
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.where.host, "explicit.example.com");

    result = endpoint_of(std::nullopt, "us-east-1", vars);
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.where, (endpoint{false, "localhost", 8000, "localhost:8000"}));

    result = endpoint_of(std::nullopt, "eu-west-1", {});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.where, (endpoint{true, "dynamodb.eu-west-1.amazonaws.com", 443,
                                      "dynamodb.eu-west-1.amazonaws.com"}));

    result = endpoint_of(std::nullopt, "cn-north-1", {});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.where.host_header, "dynamodb.cn-north-1.amazonaws.com.cn");

    // An explicit endpoint needs no region.
    result = endpoint_of("http://localhost:8000", "", {});
    ASSERT_FALSE(result.ec) << result.why;
    EXPECT_EQ(result.where.port, 8000);
}

TEST(resolve_endpoint, errors)
{
    endpoint_outcome result = endpoint_of("ftp://x", "us-east-1", {});
    EXPECT_EQ(result.ec, errc::invalid_endpoint);
    EXPECT_EQ(result.why,
              "the explicit endpoint setting: endpoint URL scheme \"ftp\" is not http or https");

    result = endpoint_of(std::nullopt, "us-east-1", {{"DYNOMITE_ENDPOINT", "http://h/path?q"}});
    EXPECT_EQ(result.ec, errc::invalid_endpoint);
    EXPECT_EQ(result.why, "DYNOMITE_ENDPOINT: endpoint URL must not have a query");

    result = endpoint_of(std::nullopt, "", {});
    EXPECT_EQ(result.ec, errc::no_region);
    EXPECT_EQ(result.why,
              "no endpoint: no URL is configured (explicitly, in DYNOMITE_ENDPOINT, "
              "AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL or the shared config file), and no "
              "region to derive one from");

    result = endpoint_of(std::nullopt, "us-east-1.evil.com/x", {});
    EXPECT_EQ(result.ec, errc::invalid_configuration);
    EXPECT_EQ(result.why, "region \"us-east-1.evil.com/x\" is not a valid region name");
}

TEST(resolve_endpoint, throwing_variant)
{
    EXPECT_EQ(resolve_endpoint(std::nullopt, "us-east-2", environment::from_map({})).host,
              "dynamodb.us-east-2.amazonaws.com");
    try {
        resolve_endpoint(std::nullopt, "", environment::from_map({}));
        FAIL() << "expected dynomite::error";
    } catch (const dynomite::error& e) {
        EXPECT_EQ(e.code(), errc::no_region);
        EXPECT_NE(std::string(e.what()).find("no endpoint"), std::string::npos);
    }
}

}  // namespace
