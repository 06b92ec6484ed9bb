#include "support/test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <stdexcept>

namespace dynomite::test {
namespace {

struct bio_deleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

void check(bool ok, const char* what)
{
    if (!ok) {
        char text[256] = {};
        ERR_error_string_n(ERR_get_error(), text, sizeof text);
        throw std::runtime_error(std::string(what) + ": " + text);
    }
}

}  // namespace

pkey_ptr make_key()
{
    pkey_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EVP_EC_gen");
    return key;
}


namespace {

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    check(extension != nullptr, "X509V3_EXT_conf_nid");
    const int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    check(added == 1, "X509_add_ext");
}

}  // namespace

// Signed by (issuer, issuer_key), or self-signed when issuer is null.
x509_ptr make_certificate(const certificate_spec& spec, EVP_PKEY* key, X509* issuer,
                          EVP_PKEY* issuer_key)
{
    static std::atomic<long> serial{1};
    x509_ptr certificate(X509_new());
    check(certificate != nullptr, "X509_new");
    X509* cert = certificate.get();
    check(X509_set_version(cert, X509_VERSION_3) == 1, "X509_set_version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++) == 1, "ASN1_INTEGER_set");
    check(X509_gmtime_adj(X509_getm_notBefore(cert), spec.valid_from_seconds) != nullptr,
          "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert), spec.valid_until_seconds) != nullptr,
          "notAfter");
    check(X509_set_pubkey(cert, key) == 1, "X509_set_pubkey");

    X509_NAME* name = X509_get_subject_name(cert);
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("Dynomite tests"), -1,
                                     -1, 0) == 1,
          "subject O");
    check(X509_NAME_add_entry_by_txt(
              name, "CN", MBSTRING_ASC,
              reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0) == 1,
          "subject CN");
    X509* signer = issuer ? issuer : cert;
    check(X509_set_issuer_name(cert, X509_get_subject_name(signer)) == 1, "X509_set_issuer_name");

    if (spec.is_ca) {
        add_extension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        add_extension(cert, signer, NID_ext_key_usage, "serverAuth");
    }
    add_extension(cert, signer, NID_subject_key_identifier, "hash");
    if (issuer) add_extension(cert, signer, NID_authority_key_identifier, "keyid:always");
    if (!spec.subject_alt_names.empty())
        add_extension(cert, signer, NID_subject_alt_name, spec.subject_alt_names);

    check(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return certificate;
}

namespace {

std::string bio_text(BIO* bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

std::string to_pem(X509* certificate)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    check(bio && PEM_write_bio_X509(bio.get(), certificate) == 1, "PEM_write_bio_X509");
    return bio_text(bio.get());
}

std::string to_pem(EVP_PKEY* key)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    check(
        bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
    return bio_text(bio.get());
}


certificate_spec server_spec(std::string common_name, std::string alt_names)
{
    certificate_spec spec;
    spec.common_name = std::move(common_name);
    spec.subject_alt_names = std::move(alt_names);
    return spec;
}

certificate_spec ca_spec()
{
    certificate_spec spec;
    spec.common_name = "Dynomite Test CA";
    spec.is_ca = true;
    return spec;
}

tls_identity test_pki::leaf(const certificate_spec& spec) const
{
    auto key = make_key();
    auto certificate = make_certificate(spec, key.get(), ca.get(), ca_key.get());
    return {to_pem(certificate.get()), to_pem(key.get())};
}

tls_identity test_pki::self_signed(const certificate_spec& spec) const
{
    auto key = make_key();
    auto certificate = make_certificate(spec, key.get(), nullptr, nullptr);
    return {to_pem(certificate.get()), to_pem(key.get())};
}

}  // namespace dynomite::test
