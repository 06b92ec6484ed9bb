// Turns a shared-file profile into the credentials source it describes, following
// source_profile links.
#pragma once

#include <dynomite/auth/credentials_provider.hpp>
#include <dynomite/auth/default_chain.hpp>
#include <dynomite/auth/sts_providers.hpp>
#include "core/shared_config.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dynomite::detail {

struct profile_context {
    boost::asio::any_io_executor executor;
    const credential_chain_options* options = nullptr;
    shared_file_paths paths;
    std::optional<ini_document> credentials_file;
    std::optional<ini_document> config_file;
};

/// Loads both shared files. errc::invalid_configuration for one that is unreadable or malformed.
error_code load_profile_context(boost::asio::any_io_executor executor,
                                const credential_chain_options& options, profile_context& out,
                                std::string& why);

/// Whether `name` is a section of either file.
bool profile_exists(const profile_context& context, const std::string& name);

/// The source `name` describes, or null when it has no credential settings at all.
/// `visiting` holds the profiles on the source_profile path so far, for cycle detection.
error_code provider_for_profile(const profile_context& context, const std::string& name,
                                std::vector<std::string>& visiting,
                                std::shared_ptr<credentials_provider>& out, std::string& why);

/// STS as the options and the environment say, for a profile's region.
sts_endpoint sts_endpoint_for(const credential_chain_options& options, std::string region);

}  // namespace dynomite::detail
