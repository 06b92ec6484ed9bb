// Certificates made at test time: a CA, leaves it signs, and self-signed ones.
#pragma once

#include "support/fake_server.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace dynomite::test {

struct pkey_deleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct x509_deleter {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

pkey_ptr make_key();

struct certificate_spec {
    std::string common_name;
    std::string subject_alt_names;  // "DNS:localhost,IP:127.0.0.1"; empty for none
    bool is_ca = false;
    long valid_from_seconds = -3600;  // relative to now
    long valid_until_seconds = 86400;
};

/// Signed by (issuer, issuer_key), or self-signed when issuer is null.
x509_ptr make_certificate(const certificate_spec& spec, EVP_PKEY* key, X509* issuer,
                          EVP_PKEY* issuer_key);

std::string to_pem(X509* certificate);
std::string to_pem(EVP_PKEY* key);

inline const std::string localhost_names = "DNS:localhost,IP:127.0.0.1";

certificate_spec server_spec(std::string common_name, std::string alt_names);
certificate_spec ca_spec();

struct test_pki {
    pkey_ptr ca_key = make_key();
    x509_ptr ca = make_certificate(ca_spec(), ca_key.get(), nullptr, nullptr);

    /// The chain a server sends: the leaf only, as the CA is the trust anchor.
    tls_identity leaf(const certificate_spec& spec) const;
    tls_identity self_signed(const certificate_spec& spec) const;
};

}  // namespace dynomite::test
