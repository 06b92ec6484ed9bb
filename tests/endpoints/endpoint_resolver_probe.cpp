// Reads lines "REGION FIPS DUALSTACK" (FIPS and DUALSTACK are 0 or 1) and prints, for each,
// dynomite::regional_endpoint_url's URL or "error: <why>"; endpoint_oracle.py compares the
// output with botocore's evaluation of DynamoDB's endpoint rule set. With the argument
// "streams", prints the DynamoDB Streams endpoint that resolve_endpoint derives instead.
#include <dynomite/transport/endpoint.hpp>

#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv)
{
    const bool streams = argc > 1 && std::string(argv[1]) == "streams";
    std::string line;
    int line_number = 0;
    while (std::getline(std::cin, line)) {
        ++line_number;
        std::istringstream fields(line);
        std::string region;
        int fips = -1;
        int dual_stack = -1;
        if (!(fields >> region >> fips >> dual_stack) || (fips != 0 && fips != 1) ||
            (dual_stack != 0 && dual_stack != 1)) {
            std::cerr << "line " << line_number << ": expected \"REGION 0|1 0|1\"\n";
            return 2;
        }
        std::string url;
        std::string why;
        dynomite::error_code ec;
        if (streams) {
            dynomite::endpoint_settings settings;
            settings.use_fips_endpoint = fips == 1;
            settings.use_dualstack_endpoint = dual_stack == 1;
            dynomite::resolved_endpoint resolved;
            ec = dynomite::resolve_endpoint(settings, region, {},
                                            dynomite::environment::from_map({}), resolved, &why);
            url = resolved.streams_url;
        } else {
            ec = dynomite::regional_endpoint_url(region, fips == 1, dual_stack == 1, url, &why);
        }
        if (ec) {
            std::cout << "error: " << why << '\n';
        } else {
            std::cout << url << '\n';
        }
    }
    return 0;
}
