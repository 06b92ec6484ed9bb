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
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace dynomite::detail;
using dynomite::credentials;
using std::chrono::system_clock;

system_clock::time_point utc(int year, unsigned month, unsigned day, int hour, int minute,
                             int second)
{
    using namespace std::chrono;
    return sys_days(std::chrono::year(year) / month / day) + hours(hour) + minutes(minute) +
           seconds(second);
}

std::span<const unsigned char> bytes(std::string_view text)
{
    return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

// ---------------------------------------------------------------------------------------------
// Crypto

TEST(crypto, sha256_known_vectors)
{
    EXPECT_EQ(to_hex(sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(crypto, sha256_hasher_is_incremental_and_reusable)
{
    sha256_hasher hasher;
    hasher.update("ab");
    hasher.update(bytes("c"));
    EXPECT_EQ(hasher.finish(), sha256("abc"));
    hasher.update("");
    EXPECT_EQ(hasher.finish(), sha256(""));
    hasher.update("discarded");
    hasher.reset();
    hasher.update("abc");
    EXPECT_EQ(hasher.finish(), sha256("abc"));
}

TEST(crypto, hmac_sha256_rfc4231_vectors)
{
    // Test case 1: a 20-byte key.
    EXPECT_EQ(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    // Test case 2: a key shorter than the output.
    EXPECT_EQ(to_hex(hmac_sha256(std::string_view("Jefe"), "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // Test case 6: a key longer than the block size, which is hashed first.
    EXPECT_EQ(to_hex(hmac_sha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(crypto, hmac_key_of_exactly_one_block_is_not_hashed)
{
    const std::string key(64, 'k');
    const std::string longer(65, 'k');
    EXPECT_NE(hmac_sha256(std::string_view(key), "m"), hmac_sha256(std::string_view(longer), "m"));
    // A 65-byte key is replaced by its digest, so both give the same MAC.
    const sha256_digest hashed = sha256(longer);
    EXPECT_EQ(hmac_sha256(std::string_view(longer), "m"), hmac_sha256(hashed, "m"));
}

TEST(crypto, hmac_hasher_is_incremental_reusable_and_rekeyable)
{
    hmac_sha256_hasher mac(std::string_view("Jefe"));
    mac.update("what do ya ");
    mac.update("want for nothing?");
    const sha256_digest first = mac.finish();
    EXPECT_EQ(to_hex(first), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    mac.update("what do ya want for nothing?");
    EXPECT_EQ(mac.finish(), first);

    mac.update("abandoned message");
    mac.rekey(bytes(std::string(20, '\x0b')));
    mac.update("Hi There");
    EXPECT_EQ(to_hex(mac.finish()),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    hmac_sha256_hasher empty_key;
    empty_key.update("m");
    EXPECT_EQ(empty_key.finish(), hmac_sha256(std::string_view(), "m"));
}

TEST(crypto, hex_is_lowercase_and_appends)
{
    const unsigned char data[] = {0x00, 0x0f, 0xa5, 0xff};
    EXPECT_EQ(to_hex(data), "000fa5ff");
    std::string out = "x=";
    append_hex(out, data);
    EXPECT_EQ(out, "x=000fa5ff");
    char buffer[9] = "........";
    write_hex(std::span(data, 2), buffer);
    EXPECT_EQ(std::string(buffer), "000f....");
    EXPECT_EQ(to_hex({}), "");
}

// ---------------------------------------------------------------------------------------------
// Canonical request stages

TEST(sigv4_stages, uri_encoding)
{
    std::string out;
    append_uri_encoded(out, "AZaz09-._~", false);
    EXPECT_EQ(out, "AZaz09-._~");
    out.clear();
    append_uri_encoded(out, "/a b/%+=&*\xe1\x88\xb4", true);
    EXPECT_EQ(out, "/a%20b/%25%2B%3D%26%2A%E1%88%B4");
    out.clear();
    append_uri_encoded(out, "a/b", false);
    EXPECT_EQ(out, "a%2Fb");
}

TEST(sigv4_stages, path_normalization)
{
    EXPECT_EQ(normalize_uri_path(""), "/");
    EXPECT_EQ(normalize_uri_path("/"), "/");
    EXPECT_EQ(normalize_uri_path("//"), "/");
    EXPECT_EQ(normalize_uri_path("a/b"), "/a/b");
    EXPECT_EQ(normalize_uri_path("/a//b//"), "/a/b/");
    EXPECT_EQ(normalize_uri_path("/a/./b"), "/a/b");
    EXPECT_EQ(normalize_uri_path("/a/b/.."), "/a/");
    EXPECT_EQ(normalize_uri_path("/a/b/."), "/a/b/");
    EXPECT_EQ(normalize_uri_path("/a/b/../c"), "/a/c");
    EXPECT_EQ(normalize_uri_path("/../../a"), "/a");
    EXPECT_EQ(normalize_uri_path("/a/..b/.c"), "/a/..b/.c");
}

TEST(sigv4_stages, canonical_uri)
{
    EXPECT_EQ(canonical_uri("", false), "/");
    EXPECT_EQ(canonical_uri("", true), "/");
    EXPECT_EQ(canonical_uri("/a/../b c", false), "/a/../b%20c");
    EXPECT_EQ(canonical_uri("/a/../b c", true), "/b%20c");
    // A path percent-encoded on the wire is encoded again.
    EXPECT_EQ(canonical_uri("/b%20c", true), "/b%2520c");
}

TEST(sigv4_stages, canonical_query_string)
{
    EXPECT_EQ(canonical_query_string(""), "");
    EXPECT_EQ(canonical_query_string("b=2&a=1"), "a=1&b=2");
    EXPECT_EQ(canonical_query_string("a=2&a=1&a=10"), "a=1&a=10&a=2");
    EXPECT_EQ(canonical_query_string("flag&a="), "a=&flag=");
    EXPECT_EQ(canonical_query_string("&&a=1&"), "a=1");
    EXPECT_EQ(canonical_query_string("k=a=b"), "k=a%3Db");
    // Escapes are decoded and written again in the canonical form.
    EXPECT_EQ(canonical_query_string("%7e=%7E&sp=a%20b&plus=a+b"), "plus=a%2Bb&sp=a%20b&~=~");
    EXPECT_EQ(canonical_query_string("bad=%zz&end=%4"), "bad=%25zz&end=%254");
    // Sorted on the encoded form: "%E1..." sorts before "A".
    EXPECT_EQ(canonical_query_string("A=1&\xe1\x88\xb4=2"), "%E1%88%B4=2&A=1");
    EXPECT_EQ(canonical_query_string("Param-3=3&Param=2"), "Param=2&Param-3=3");
}

TEST(sigv4_stages, header_values_are_trimmed_and_collapsed)
{
    const auto canonical = [](std::string_view value) {
        std::string out;
        append_canonical_header_value(out, value);
        return out;
    };
    EXPECT_EQ(canonical("value"), "value");
    EXPECT_EQ(canonical("  value \t"), "value");
    EXPECT_EQ(canonical("\"a   b   c\""), "\"a b c\"");
    EXPECT_EQ(canonical("value1\n  value2\r\n     value3"), "value1 value2 value3");
    EXPECT_EQ(canonical("a\t\tb"), "a b");
    EXPECT_EQ(canonical("   "), "");
    EXPECT_EQ(canonical(""), "");
}

TEST(sigv4_stages, canonical_request_merges_sorts_and_lowercases_headers)
{
    const header_field headers[] = {
        {"X-Amz-Date", "20150830T123600Z"},
        {"My-Header", " second "},
        {"host", "example.com"},
        {"MY-HEADER", "third"},
        {"my-header", "first  value"},
    };
    const canonical_request result =
        make_canonical_request("PUT", "/a/./b", "z=1&y=2", headers, "HASH", true);
    EXPECT_EQ(result.signed_headers, "host;my-header;x-amz-date");
    EXPECT_EQ(result.text,
              "PUT\n/a/b\ny=2&z=1\nhost:example.com\nmy-header:second,third,first value\n"
              "x-amz-date:20150830T123600Z\n\nhost;my-header;x-amz-date\nHASH");
}

TEST(sigv4_stages, canonical_request_without_headers)
{
    const canonical_request result = make_canonical_request("GET", "", "", {}, "H", false);
    EXPECT_EQ(result.signed_headers, "");
    EXPECT_EQ(result.text, "GET\n/\n\n\n\nH");
}

TEST(sigv4_stages, scope_string_to_sign_signature_and_authorization)
{
    const std::string scope = make_credential_scope("20150830", "us-east-1", "service");
    EXPECT_EQ(scope, "20150830/us-east-1/service/aws4_request");

    const std::string canonical =
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const std::string string_to_sign = make_string_to_sign("20150830T123600Z", scope, canonical);
    EXPECT_EQ(string_to_sign,
              "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
              "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");

    const sha256_digest key = derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                 "20150830", "us-east-1", "service");
    const std::string signature = compute_signature(key, string_to_sign);
    EXPECT_EQ(signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

    EXPECT_EQ(make_authorization("AKIDEXAMPLE", scope, "host;x-amz-date", signature),
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
              "SignedHeaders=host;x-amz-date, "
              "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(sigv4_stages, signing_key_matches_the_published_example)
{
    EXPECT_EQ(to_hex(derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                        "us-east-1", "iam")),
              "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

// ---------------------------------------------------------------------------------------------
// Signing key cache

TEST(signing_key_cache, derives_only_when_an_input_changes)
{
    signing_key_cache cache;
    EXPECT_EQ(cache.derivations(), 0u);
    const sha256_digest first = cache.get("secret", "20240101", "us-east-1", "dynamodb");
    EXPECT_EQ(first, derive_signing_key("secret", "20240101", "us-east-1", "dynamodb"));
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(cache.get("secret", "20240101", "us-east-1", "dynamodb"), first);
    }
    EXPECT_EQ(cache.derivations(), 1u);

    const auto expect_new_key = [&](std::string_view secret, std::string_view date,
                                    std::string_view region, std::string_view service,
                                    std::uint64_t derivations) {
        EXPECT_EQ(cache.get(secret, date, region, service),
                  derive_signing_key(secret, date, region, service));
        EXPECT_EQ(cache.derivations(), derivations);
    };
    expect_new_key("secret", "20240102", "us-east-1", "dynamodb", 2);
    expect_new_key("secret", "20240102", "eu-west-1", "dynamodb", 3);
    expect_new_key("secret", "20240102", "eu-west-1", "streams", 4);
    expect_new_key("other", "20240102", "eu-west-1", "streams", 5);
    expect_new_key("secret", "20240101", "us-east-1", "dynamodb", 6);
    EXPECT_EQ(cache.get("secret", "20240101", "us-east-1", "dynamodb"), first);
    EXPECT_EQ(cache.derivations(), 6u);
}

TEST(signing_key_cache, copies_carry_the_cached_key)
{
    signing_key_cache cache;
    const sha256_digest key = cache.get("secret", "20240101", "us-east-1", "dynamodb");
    signing_key_cache copy(cache);
    EXPECT_EQ(copy.get("secret", "20240101", "us-east-1", "dynamodb"), key);
    EXPECT_EQ(copy.derivations(), 1u);

    signing_key_cache assigned;
    assigned.get("x", "20200101", "r", "s");
    assigned = cache;
    EXPECT_EQ(assigned.get("secret", "20240101", "us-east-1", "dynamodb"), key);
    EXPECT_EQ(assigned.derivations(), 1u);
    const signing_key_cache& self = assigned;
    assigned = self;
    EXPECT_EQ(assigned.derivations(), 1u);
}

TEST(signing_key_cache, is_safe_to_share_between_threads)
{
    signing_key_cache cache;
    const sha256_digest key_a = derive_signing_key("a", "20240101", "us-east-1", "dynamodb");
    const sha256_digest key_b = derive_signing_key("b", "20240101", "us-east-1", "dynamodb");
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const std::string_view secret = t % 2 == 0 ? "a" : "b";
            const sha256_digest& expected = t % 2 == 0 ? key_a : key_b;
            for (int i = 0; i < 500; ++i) {
                if (cache.get(secret, "20240101", "us-east-1", "dynamodb") != expected) {
                    ++mismatches[t];
                }
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// ---------------------------------------------------------------------------------------------
// Dates and clocks

TEST(sigv4_dates, format_amz_date)
{
    EXPECT_EQ(format_amz_date(utc(2015, 8, 30, 12, 36, 0)), "20150830T123600Z");
    EXPECT_EQ(format_amz_date(utc(1970, 1, 1, 0, 0, 0)), "19700101T000000Z");
    EXPECT_EQ(format_amz_date(utc(2024, 2, 29, 23, 59, 59)), "20240229T235959Z");
    EXPECT_EQ(format_amz_date(utc(2199, 12, 31, 23, 59, 59)), "21991231T235959Z");
    EXPECT_EQ(format_amz_date(utc(1969, 12, 31, 23, 59, 59)), "19691231T235959Z");
    EXPECT_EQ(format_amz_date(utc(1900, 3, 1, 1, 2, 3)), "19000301T010203Z");
    // Sub-second parts are truncated, never rounded up.
    EXPECT_EQ(format_amz_date(utc(2015, 8, 30, 12, 36, 0) + std::chrono::milliseconds(999)),
              "20150830T123600Z");
    const auto chars = format_amz_date_chars(utc(2001, 2, 3, 4, 5, 6));
    EXPECT_EQ(std::string_view(chars.data(), chars.size()), "20010203T040506Z");
}

TEST(sigv4_dates, system_clock_fn_reads_the_system_clock)
{
    const clock_fn clock = system_clock_fn();
    const auto before = system_clock::now();
    const auto reading = clock();
    const auto after = system_clock::now();
    EXPECT_LE(before, reading);
    EXPECT_LE(reading, after);
}

// ---------------------------------------------------------------------------------------------
// The DynamoDB fast path

struct dynamodb_call {
    credentials creds;
    std::string region;
    std::string host;
    std::string target;
    std::string content_type;
    std::string body;
    system_clock::time_point now;
};

// The same request signed stage by stage with the general functions.
dynamodb_signature sign_with_stages(const dynamodb_call& call)
{
    const std::string amz_date = format_amz_date(call.now);
    std::vector<header_field> headers = {
        {"X-Amz-Target", call.target},
        {"Host", call.host},
        {"Content-Type", call.content_type},
        {"X-Amz-Date", amz_date},
    };
    if (!call.creds.session_token.empty()) {
        headers.push_back({"X-Amz-Security-Token", call.creds.session_token});
    }
    const canonical_request canonical =
        make_canonical_request("POST", "/", "", headers, to_hex(sha256(call.body)), true);
    const std::string date = amz_date.substr(0, 8);
    const std::string scope = make_credential_scope(date, call.region, "dynamodb");
    const std::string signature = compute_signature(
        derive_signing_key(call.creds.secret_access_key, date, call.region, "dynamodb"),
        make_string_to_sign(amz_date, scope, canonical.text));
    return {amz_date, make_authorization(call.creds.access_key_id, scope, canonical.signed_headers,
                                         signature)};
}

dynamodb_signature sign_fast(const dynamodb_call& call, signing_key_cache& cache)
{
    return sign_dynamodb_request(call.creds, call.region, "dynamodb", call.host, call.target,
                                 call.content_type, call.body, call.now, cache);
}

const credentials example_credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                      ""};

TEST(sign_dynamodb_request, matches_an_independent_computation)
{
    // Expected values computed separately with Python's hashlib and hmac.
    signing_key_cache cache;
    const dynamodb_call get_item{example_credentials,
                                 "us-east-1",
                                 "dynamodb.us-east-1.amazonaws.com",
                                 "DynamoDB_20120810.GetItem",
                                 "application/x-amz-json-1.0",
                                 R"({"TableName":"t","Key":{"pk":{"S":"a"}}})",
                                 utc(2024, 2, 29, 23, 59, 59)};
    const dynamodb_signature signature = sign_fast(get_item, cache);
    EXPECT_EQ(signature.amz_date, "20240229T235959Z");
    EXPECT_EQ(signature.authorization,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/us-east-1/dynamodb/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
              "Signature=2ba2807e2ff20dfcb7b5a3122159d45d2d940dcdf06ec6e7b83e567adc65d8ce");

    credentials with_token = example_credentials;
    with_token.session_token = "FQoGZXIvYXdzEXAMPLETOKEN";
    const dynamodb_call list_tables{with_token,
                                    "eu-west-1",
                                    "localhost:8000",
                                    "DynamoDB_20120810.ListTables",
                                    "application/x-amz-json-1.0",
                                    "{}",
                                    utc(2015, 8, 30, 12, 36, 0)};
    EXPECT_EQ(sign_fast(list_tables, cache).authorization,
              "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/dynamodb/aws4_request, "
              "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
              "Signature=79d8f5c815549a4c24d873bdbf7a89b9baed264b1684af477ce3581c32d22bd2");
}

TEST(sign_dynamodb_request, equals_the_stage_functions)
{
    credentials with_token = example_credentials;
    with_token.session_token = "AQoDYXdzEPT//////////wEXAMPLE+token==";
    const std::vector<dynamodb_call> calls = {
        {example_credentials, "us-east-1", "dynamodb.us-east-1.amazonaws.com",
         "DynamoDB_20120810.PutItem", "application/x-amz-json-1.0",
         R"({"TableName":"t","Item":{"pk":{"S":"x"}}})", utc(2023, 12, 31, 23, 59, 59)},
        {with_token, "cn-north-1", "dynamodb.cn-north-1.amazonaws.com.cn",
         "DynamoDB_20120810.Query", "application/x-amz-json-1.0", "", utc(2024, 1, 1, 0, 0, 0)},
        {with_token, "eu-central-1", "[::1]:8000", "DynamoDB_20120810.Scan",
         "  application/x-amz-json-1.0;   charset=utf-8 ", std::string(100000, 'b'),
         utc(2030, 6, 15, 8, 30, 1)},
    };
    signing_key_cache cache;
    for (const dynamodb_call& call : calls) {
        const dynamodb_signature expected = sign_with_stages(call);
        const dynamodb_signature actual = sign_fast(call, cache);
        EXPECT_EQ(actual.amz_date, expected.amz_date) << call.target;
        EXPECT_EQ(actual.authorization, expected.authorization) << call.target;
    }
}

TEST(sign_dynamodb_request, signature_covers_every_input)
{
    const dynamodb_call base{example_credentials,
                             "us-east-1",
                             "dynamodb.us-east-1.amazonaws.com",
                             "DynamoDB_20120810.GetItem",
                             "application/x-amz-json-1.0",
                             "{}",
                             utc(2024, 5, 1, 10, 0, 0)};
    signing_key_cache cache;
    const std::string reference = sign_fast(base, cache).authorization;
    std::vector<dynamodb_call> variants(7, base);
    variants[0].creds.secret_access_key += "x";
    variants[1].creds.session_token = "token";
    variants[2].region = "us-west-2";
    variants[3].host = "dynamodb.us-west-2.amazonaws.com";
    variants[4].target = "DynamoDB_20120810.PutItem";
    variants[5].body = "{ }";
    variants[6].now += std::chrono::seconds(1);
    for (std::size_t i = 0; i < variants.size(); ++i) {
        EXPECT_NE(sign_fast(variants[i], cache).authorization, reference) << "variant " << i;
    }
    EXPECT_EQ(sign_fast(base, cache).authorization, reference);
}

TEST(sign_dynamodb_request, reuses_the_signing_key_within_a_day)
{
    signing_key_cache cache;
    dynamodb_call call{example_credentials,
                       "us-east-1",
                       "dynamodb.us-east-1.amazonaws.com",
                       "DynamoDB_20120810.GetItem",
                       "application/x-amz-json-1.0",
                       "{}",
                       utc(2024, 5, 1, 0, 0, 0)};
    for (int i = 0; i < 1000; ++i) {
        call.now += std::chrono::seconds(60);
        ASSERT_EQ(sign_fast(call, cache).authorization, sign_with_stages(call).authorization);
    }
    EXPECT_EQ(cache.derivations(), 1u);
    call.now = utc(2024, 5, 2, 0, 0, 0);
    sign_fast(call, cache);
    EXPECT_EQ(cache.derivations(), 2u);
}

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

system_clock::time_point parse_iso8601(std::string_view text)
{
    const auto number = [&](std::size_t position, std::size_t length) {
        return std::stoi(std::string(text.substr(position, length)));
    };
    return utc(number(0, 4), static_cast<unsigned>(number(5, 2)),
               static_cast<unsigned>(number(8, 2)), number(11, 2), number(14, 2), number(17, 2));
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
    const boost::json::object& creds = settings.at("credentials").as_object();
    const std::string access_key_id(creds.at("access_key_id").as_string());
    const std::string secret(creds.at("secret_access_key").as_string());
    const std::string token =
        creds.contains("token") ? std::string(creds.at("token").as_string()) : std::string();
    const std::string region(settings.at("region").as_string());
    const std::string service(settings.at("service").as_string());
    const bool normalize = settings.at("normalize").as_bool();
    const bool sign_body = settings.contains("sign_body") && settings.at("sign_body").as_bool();
    const bool omit_token =
        settings.contains("omit_session_token") && settings.at("omit_session_token").as_bool();
    const system_clock::time_point now = parse_iso8601(settings.at("timestamp").as_string());

    const suite_request request = parse_suite_request(*request_text);
    const std::string amz_date = format_amz_date(now);
    const std::string payload_hash = to_hex(sha256(request.body));
    std::vector<header_field> headers;
    for (const auto& [name, value] : request.headers) headers.push_back({name, value});
    headers.push_back({"X-Amz-Date", amz_date});
    if (!token.empty() && !omit_token) headers.push_back({"X-Amz-Security-Token", token});
    if (sign_body) headers.push_back({"X-Amz-Content-Sha256", payload_hash});

    const canonical_request canonical = make_canonical_request(
        request.method, request.path, request.query, headers, payload_hash, normalize);
    EXPECT_EQ(canonical.text, without_final_newline(*expected_canonical));

    const std::string date = amz_date.substr(0, 8);
    const std::string scope = make_credential_scope(date, region, service);
    const std::string string_to_sign = make_string_to_sign(amz_date, scope, canonical.text);
    EXPECT_EQ(string_to_sign, without_final_newline(*expected_string_to_sign));

    signing_key_cache cache;
    const std::string signature =
        compute_signature(cache.get(secret, date, region, service), string_to_sign);
    EXPECT_EQ(signature, without_final_newline(*expected_signature));

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
        EXPECT_EQ(make_authorization(access_key_id, scope, canonical.signed_headers, signature),
                  expected_authorization);
    }
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
