// The AWS SigV4 test suite (../shared/testdata/sigv4), case by case, through sign_request: the
// signer the client's requests go through. Each case is checked stage by stage: canonical
// request, string to sign, signature and Authorization header.
#include "auth/crypto.hpp"
#include "auth/sigv4.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace {

using namespace dynomite::detail;
using dynomite::credentials;
using std::chrono::system_clock;

// ---------------------------------------------------------------------------------------------
// The AWS SigV4 test suite, one test per case folder.

struct suite_location {
    std::filesystem::path directory;  // empty when not found
    std::string looked_in;
};

suite_location locate_suite()
{
    std::vector<std::filesystem::path> candidates;
    if (const char* configured = std::getenv("DYNOMITE_SIGV4_SUITE");
        configured != nullptr && *configured != '\0') {
        candidates.emplace_back(configured);
    } else {
        candidates.emplace_back("../shared/testdata/sigv4");
#ifdef DYNOMITE_SOURCE_DIR
        candidates.emplace_back(std::filesystem::path(DYNOMITE_SOURCE_DIR) /
                                "../shared/testdata/sigv4");
#endif
    }
    suite_location location;
    for (const std::filesystem::path& candidate : candidates) {
        if (!location.looked_in.empty()) location.looked_in += ", ";
        location.looked_in += std::filesystem::absolute(candidate).lexically_normal().string();
        std::error_code ec;
        if (location.directory.empty() && std::filesystem::is_directory(candidate, ec)) {
            location.directory = candidate;
        }
    }
    return location;
}

struct suite_case {
    std::string name;
    std::filesystem::path directory;  // empty: the suite was not found
};

void PrintTo(const suite_case& c, std::ostream* os)
{
    *os << c.name;
}

std::vector<suite_case> discover_suite_cases()
{
    const suite_location location = locate_suite();
    if (location.directory.empty()) return {{"suite_not_found", {}}};
    std::vector<suite_case> cases;
    for (const auto& entry : std::filesystem::directory_iterator(location.directory)) {
        if (entry.is_directory()) cases.push_back({entry.path().filename().string(), entry.path()});
    }
    std::sort(cases.begin(), cases.end(),
              [](const suite_case& a, const suite_case& b) { return a.name < b.name; });
    return cases;
}

std::optional<std::string> read_text(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string without_final_newline(std::string text)
{
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    return text;
}

struct suite_request {
    std::string method;
    std::string path;
    std::string query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// request.txt: a request line, header lines (an indented line continues the previous value,
// kept with its line break for the signer to fold), then a blank line and the body.
suite_request parse_suite_request(std::string_view text)
{
    suite_request request;
    std::size_t start = 0;
    bool first_line = true;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (first_line) {
            first_line = false;
            const std::size_t method_end = line.find(' ');
            const std::size_t version_start = line.rfind(' ');
            request.method = line.substr(0, method_end);
            const std::string_view target =
                line.substr(method_end + 1, version_start - method_end - 1);
            const std::size_t question = target.find('?');
            request.path = target.substr(0, question);
            if (question != std::string_view::npos) request.query = target.substr(question + 1);
            continue;
        }
        if (line.empty()) {
            if (start < text.size()) request.body = text.substr(start);
            break;
        }
        if ((line.front() == ' ' || line.front() == '\t') && !request.headers.empty()) {
            request.headers.back().second.append(1, '\n').append(line);
            continue;
        }
        const std::size_t colon = line.find(':');
        request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    return request;
}

// "2015-08-30T12:36:00Z"
system_clock::time_point parse_iso8601(std::string_view text)
{
    using namespace std::chrono;
    const auto number = [&](std::size_t position, std::size_t length) {
        return std::stoi(std::string(text.substr(position, length)));
    };
    const year_month_day date{year(number(0, 4)), month(static_cast<unsigned>(number(5, 2))),
                              day(static_cast<unsigned>(number(8, 2)))};
    return sys_days(date) + hours(number(11, 2)) + minutes(number(14, 2)) +
           seconds(number(17, 2));
}

class sigv4_suite : public testing::TestWithParam<suite_case> {};

TEST_P(sigv4_suite, header_signing)
{
    const suite_case& c = GetParam();
    if (c.directory.empty()) {
        GTEST_SKIP() << "the AWS SigV4 test suite was not found; looked in "
                     << locate_suite().looked_in << " (set DYNOMITE_SIGV4_SUITE to its location)";
    }
    const std::optional<std::string> request_text = read_text(c.directory / "request.txt");
    const std::optional<std::string> context_text = read_text(c.directory / "context.json");
    const std::optional<std::string> expected_canonical =
        read_text(c.directory / "header-canonical-request.txt");
    const std::optional<std::string> expected_string_to_sign =
        read_text(c.directory / "header-string-to-sign.txt");
    const std::optional<std::string> expected_signature =
        read_text(c.directory / "header-signature.txt");
    if (!request_text || !context_text || !expected_canonical || !expected_string_to_sign ||
        !expected_signature) {
        GTEST_SKIP() << c.name
                     << ": not a header-signing case (it lacks one of request.txt, context.json, "
                        "header-canonical-request.txt, header-string-to-sign.txt, "
                        "header-signature.txt)";
    }

    const boost::json::value context = boost::json::parse(*context_text);
    const boost::json::object& settings = context.as_object();
    const boost::json::object& keys = settings.at("credentials").as_object();
    const std::string access_key_id(keys.at("access_key_id").as_string());
    const std::string secret(keys.at("secret_access_key").as_string());
    const std::string token =
        keys.contains("token") ? std::string(keys.at("token").as_string()) : std::string();
    const std::string region(settings.at("region").as_string());
    const std::string service(settings.at("service").as_string());
    const bool normalize = settings.at("normalize").as_bool();
    const bool sign_body = settings.contains("sign_body") && settings.at("sign_body").as_bool();
    const bool omit_token =
        settings.contains("omit_session_token") && settings.at("omit_session_token").as_bool();
    const system_clock::time_point now = parse_iso8601(settings.at("timestamp").as_string());

    const suite_request parsed = parse_suite_request(*request_text);
    const std::string amz_date = format_amz_date(now);
    const std::string payload_hash = to_hex(sha256(parsed.body));
    std::vector<header_field> headers;
    for (const auto& [name, value] : parsed.headers) headers.push_back({name, value});
    headers.push_back({"X-Amz-Date", amz_date});
    if (!token.empty() && !omit_token) headers.push_back({"X-Amz-Security-Token", token});
    if (sign_body) headers.push_back({"X-Amz-Content-Sha256", payload_hash});

    // Signed by sign_request, the signer sign_dynamodb_request hands the client's requests to.
    const request_to_sign request{parsed.method, parsed.path,  parsed.query,
                                  headers,       payload_hash, normalize};
    const credentials creds{access_key_id, secret, token};
    signing_key_cache cache;
    sigv4_stages stages;
    sign_request(request, creds, amz_date, region, service, cache, stages);
    EXPECT_EQ(stages.canonical_request, without_final_newline(*expected_canonical));
    EXPECT_EQ(stages.string_to_sign, without_final_newline(*expected_string_to_sign));
    EXPECT_EQ(stages.signature, without_final_newline(*expected_signature));
    if (const auto signed_request = read_text(c.directory / "header-signed-request.txt")) {
        const std::string_view marker = "\nAuthorization:";
        const std::size_t found = signed_request->find(marker);
        ASSERT_NE(found, std::string::npos) << "no Authorization header in the signed request";
        const std::size_t value_start = found + marker.size();
        std::string expected_authorization = signed_request->substr(
            value_start, signed_request->find('\n', value_start) - value_start);
        if (!expected_authorization.empty() && expected_authorization.back() == '\r') {
            expected_authorization.pop_back();
        }
        EXPECT_EQ(stages.authorization, expected_authorization);
    }

    // Stages reused for another request are replaced, not appended to.
    const header_field other_headers[] = {{"host", "other.example.com"}, {"x-amz-date", amz_date}};
    sign_request({"GET", "/other", "", other_headers, payload_hash, true}, creds, amz_date, region,
                 service, cache, stages);
    sign_request(request, creds, amz_date, region, service, cache, stages);
    EXPECT_EQ(stages.canonical_request, without_final_newline(*expected_canonical));
    EXPECT_EQ(stages.signature, without_final_newline(*expected_signature));
    EXPECT_EQ(cache.derivations(), 1u);

    // The string-returning forms write the same stages.
    const canonical_request canonical = make_canonical_request(
        request.method, request.path, request.query, headers, payload_hash, normalize);
    EXPECT_EQ(canonical.text, stages.canonical_request);
    EXPECT_EQ(canonical.signed_headers, stages.signed_headers);
    const std::string date = amz_date.substr(0, 8);
    const std::string scope = make_credential_scope(date, region, service);
    EXPECT_EQ(scope, stages.scope);
    const std::string string_to_sign = make_string_to_sign(amz_date, scope, canonical.text);
    EXPECT_EQ(string_to_sign, stages.string_to_sign);
    const std::string signature =
        compute_signature(derive_signing_key(secret, date, region, service), string_to_sign);
    EXPECT_EQ(signature, stages.signature);
    EXPECT_EQ(make_authorization(access_key_id, scope, canonical.signed_headers, signature),
              stages.authorization);
}

INSTANTIATE_TEST_SUITE_P(aws, sigv4_suite, testing::ValuesIn(discover_suite_cases()),
                         [](const testing::TestParamInfo<suite_case>& info) {
                             std::string name = info.param.name;
                             for (char& ch : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return name;
                         });

}  // namespace
