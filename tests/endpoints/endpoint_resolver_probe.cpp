// Reads lines "REGION FIPS DUALSTACK" (FIPS and DUALSTACK are 0 or 1) and prints, for each,
// dynomite::regional_endpoint_url's URL or "error: <why>"; endpoint_oracle.py compares the
// output with botocore's evaluation of DynamoDB's endpoint rule set.
#include <dynomite/transport/endpoint.hpp>

#include <iostream>
#include <sstream>
#include <string>

int main()
{
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
        if (dynomite::regional_endpoint_url(region, fips == 1, dual_stack == 1, url, &why)) {
            std::cout << "error: " << why << '\n';
        } else {
            std::cout << url << '\n';
        }
    }
    return 0;
}
