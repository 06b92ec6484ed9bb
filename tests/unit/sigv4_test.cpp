#include "auth/crypto.hpp"
#include "auth/process_runner.hpp"
#include "auth/sigv4.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

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

// A GetItem at midnight on 1 May 2024.
dynamodb_call get_item_call()
{
    return {example_credentials,          "us-east-1", "dynamodb.us-east-1.amazonaws.com",
            "DynamoDB_20120810.GetItem",  "application/x-amz-json-1.0",
            "{}",                         utc(2024, 5, 1, 0, 0, 0)};
}

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
    dynamodb_call call = get_item_call();
    for (int i = 0; i < 1000; ++i) {
        call.now += std::chrono::seconds(60);
        ASSERT_EQ(sign_fast(call, cache).authorization, sign_with_stages(call).authorization);
    }
    EXPECT_EQ(cache.derivations(), 1u);
    call.now = utc(2024, 5, 2, 0, 0, 0);
    sign_fast(call, cache);
    EXPECT_EQ(cache.derivations(), 2u);
}

// botocore's SigV4Auth, from Debian's python3-botocore, signs the same DynamoDB requests.
TEST(sign_dynamodb_request, matches_botocore_stage_by_stage)
{
    process_limits limits;
    limits.max_output = 4 << 20;  // 40 requests, bodies of up to 3,000 characters as JSON
    const process_outcome oracle = run_process(
        "/usr/bin/python3 " + std::string(DYNOMITE_SOURCE_DIR) + "/tests/support/botocore_sigv4.py",
        limits);
    ASSERT_TRUE(oracle.start_failure.empty()) << oracle.start_failure;
    if (WIFEXITED(oracle.status) && WEXITSTATUS(oracle.status) == 77) {
        GTEST_SKIP() << "botocore is absent (Debian's python3-botocore)";
    }
    ASSERT_FALSE(oracle.timed_out || oracle.output_too_large) << "the oracle was stopped";
    ASSERT_TRUE(WIFEXITED(oracle.status) && WEXITSTATUS(oracle.status) == 0) << oracle.error;

    std::istringstream lines(oracle.output);
    std::string line;
    int compared = 0;
    signing_key_cache cache;
    sigv4_stages stages;
    while (std::getline(lines, line)) {
        const boost::json::object c = boost::json::parse(line).as_object();
        const auto text = [&c](const char* key) { return std::string(c.at(key).as_string()); };
        const credentials creds{text("access_key_id"), text("secret_access_key"),
                                text("session_token")};
        const std::string amz_date = text("amz_date");
        const auto number = [&amz_date](std::size_t position, std::size_t length) {
            return std::stoi(amz_date.substr(position, length));
        };
        const system_clock::time_point now =
            utc(number(0, 4), static_cast<unsigned>(number(4, 2)),
                static_cast<unsigned>(number(6, 2)), number(9, 2), number(11, 2), number(13, 2));
        const std::string region = text("region"), host = text("host"), path = text("path");
        const std::string target = text("target"), content_type = text("content_type");
        const std::string body = text("body");

        sign_dynamodb_request(creds, region, "dynamodb", host, target, content_type, body, now,
                              cache, path, stages);
        EXPECT_EQ(stages.canonical_request, text("canonical_request")) << line;
        EXPECT_EQ(stages.string_to_sign, text("string_to_sign")) << line;
        EXPECT_EQ(stages.authorization, text("authorization")) << line;
        const dynamodb_signature signature = sign_dynamodb_request(
            creds, region, "dynamodb", host, target, content_type, body, now, cache, path);
        EXPECT_EQ(signature.amz_date, amz_date);
        EXPECT_EQ(signature.authorization, text("authorization"));
        ++compared;
    }
    EXPECT_EQ(compared, 40);
}

TEST(sign_dynamodb_request, reuses_the_stage_buffers)
{
    const dynamodb_call call = get_item_call();
    signing_key_cache cache;
    sigv4_stages stages;
    const auto sign = [&](std::string_view body, system_clock::time_point now) {
        sign_dynamodb_request(call.creds, call.region, "dynamodb", call.host, call.target,
                              call.content_type, body, now, cache, "/", stages);
    };
    sign(call.body, call.now);
    const std::vector<const char*> buffers = {
        stages.canonical_request.data(), stages.signed_headers.data(), stages.scope.data(),
        stages.string_to_sign.data(),    stages.signature.data(),      stages.authorization.data()};
    // Another body and time of the same sizes: written over the same buffers.
    sign("[]", call.now + std::chrono::seconds(1));
    EXPECT_EQ(buffers, (std::vector<const char*>{stages.canonical_request.data(),
                                                 stages.signed_headers.data(), stages.scope.data(),
                                                 stages.string_to_sign.data(),
                                                 stages.signature.data(),
                                                 stages.authorization.data()}));
    dynamodb_call other = call;
    other.body = "[]";
    other.now += std::chrono::seconds(1);
    EXPECT_EQ(stages.authorization, sign_with_stages(other).authorization);
}

// ---------------------------------------------------------------------------------------------
// The general signer

TEST(sign_request, merges_a_repeated_lowercase_name_given_in_order)
{
    // Lowercase and sorted but repeated: merged, not written twice.
    const header_field headers[] = {{"a", "1"}, {"a", " 2 "}, {"b", "3"}};
    sigv4_stages stages;
    signing_key_cache cache;
    sign_request({"GET", "/", "", headers, "H", true}, example_credentials, "20150830T123600Z",
                 "us-east-1", "service", cache, stages);
    EXPECT_EQ(stages.canonical_request, "GET\n/\n\na:1,2\nb:3\n\na;b\nH");
    EXPECT_EQ(stages.signed_headers, "a;b");
}

TEST(sign_request, orders_more_headers_than_fit_on_the_stack)
{
    std::vector<std::string> names;
    for (int i = 40; i-- > 0;) names.push_back("X-H" + std::to_string(100 + i));
    std::vector<header_field> headers;
    for (const std::string& name : names) headers.push_back({name, name});
    headers.push_back({"x-h120", "again"});
    std::string expected_headers;
    std::string expected_names;
    for (int i = 0; i < 40; ++i) {
        const std::string name = "x-h" + std::to_string(100 + i);
        expected_headers += name + ":X-H" + std::to_string(100 + i);
        if (i == 20) expected_headers += ",again";
        expected_headers += "\n";
        expected_names += (i == 0 ? "" : ";") + name;
    }
    sigv4_stages stages;
    signing_key_cache cache;
    sign_request({"POST", "/", "", headers, "H", true}, example_credentials, "20150830T123600Z",
                 "us-east-1", "service", cache, stages);
    EXPECT_EQ(stages.signed_headers, expected_names);
    EXPECT_EQ(stages.canonical_request,
              "POST\n/\n\n" + expected_headers + "\n" + expected_names + "\nH");
}


}  // namespace
